// The JVM worker's strategies, read from collectors.table (the one table the
// launcher also reads) and from the build's probe of this JDK. At start-up the
// worker checks that the collector running is the one the strategy names,
// from the GarbageCollectorMXBean names.
package mmbench.jvm;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

final class Collectors {
  static final class Collector {
    String name;
    List<String> options;
    List<String> beans;
    List<String> pauseBeans;
    List<String> pauseOperations; // the collector's pauses the pause beans count
    List<String> uncountedPauses; // its pauses they do not count
    String reclaim;
    String description;
    String unsupported; // null: this JDK starts with the options

    static boolean matches(List<String> patterns, String op) {
      for (String p : patterns) {
        if (p.endsWith("*") ? op.startsWith(p.substring(0, p.length() - 1)) : op.equals(p)) {
          return true;
        }
      }
      return false;
    }

    boolean isPauseOperation(String op) {
      return matches(pauseOperations, op) || matches(uncountedPauses, op);
    }

    boolean isCountedPause(String op) {
      return matches(pauseOperations, op);
    }
  }

  private Collectors() {}

  private static List<String> list(String field, String sep) {
    List<String> out = new ArrayList<>();
    for (String s : field.trim().split(sep)) {
      if (!s.isBlank()) out.add(s.trim());
    }
    return out;
  }

  private static List<String> lines(String path) throws IOException {
    List<String> out = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of(path))) {
      if (!line.isBlank() && !line.trim().startsWith("#")) out.add(line);
    }
    return out;
  }

  static Map<String, Collector> load() throws IOException {
    Map<String, String> probe = new LinkedHashMap<>();
    String probePath = System.getProperty("mmbench.probe", "");
    if (!probePath.isEmpty() && Files.exists(Path.of(probePath))) {
      for (String line : lines(probePath)) {
        String[] f = line.split("\\|", 2);
        probe.put(f[0].trim(), f.length > 1 ? f[1].trim() : "");
      }
    }
    Map<String, Collector> out = new LinkedHashMap<>();
    for (String line : lines(System.getProperty("mmbench.table"))) {
      String[] f = line.split("\\|", -1);
      if (f.length != 7) throw new IOException("collectors.table: 7 fields expected: " + line);
      Collector c = new Collector();
      c.name = f[0].trim();
      c.options = list(f[1], "\\s+");
      c.beans = list(f[2], ",");
      c.pauseBeans = list(f[3], ",");
      c.pauseOperations = new ArrayList<>();
      c.uncountedPauses = new ArrayList<>();
      for (String op : list(f[4], ",")) {
        if (op.endsWith("/uncounted")) {
          c.uncountedPauses.add(op.substring(0, op.length() - "/uncounted".length()));
        } else {
          c.pauseOperations.add(op);
        }
      }
      c.reclaim = f[5].trim();
      c.description = f[6].trim();
      String why = System.getProperty("mmbench.unsupported",
          probe.getOrDefault(c.name, "not probed at build time"));
      c.unsupported = why.equals("ok") ? null : why;
      out.put(c.name, c);
    }
    return out;
  }

  static List<String> runningBeans() {
    List<String> names = new ArrayList<>();
    for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
      names.add(b.getName());
    }
    return names;
  }

  // Why the running collector is not c ("" when it is).
  static String mismatch(Collector c) {
    List<String> running = runningBeans();
    if (new TreeSet<>(running).equals(new TreeSet<>(c.beans))) return "";
    return "the running collector's GarbageCollectorMXBeans are " + running + ", not "
        + c.name + "'s " + c.beans + " (JVM options " + Arrays.toString(jvmOptions().toArray())
        + ")";
  }

  // The JVM's own options as it was started (the -D properties left out).
  static List<String> jvmOptions() {
    List<String> out = new ArrayList<>();
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (!a.startsWith("-Dmmbench.")) out.add(a);
    }
    return out;
  }
}
