// A minimal JSON writer for the worker's outputs (no JSON library ships with
// the JDK): maps, lists, strings, numbers, booleans and null. Used only after
// the measured region.
package mmbench.jvm;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public final class Json {
  private Json() {}

  public static Map<String, Object> obj() {
    return new LinkedHashMap<>();
  }

  public static String write(Object value) {
    StringBuilder out = new StringBuilder();
    write(out, value, 0, false);
    return out.toString();
  }

  // Indented (one space a level), as the C++ worker prints --list.
  public static String pretty(Object value) {
    StringBuilder out = new StringBuilder();
    write(out, value, 0, true);
    return out.toString();
  }

  private static void newline(StringBuilder out, int depth, boolean pretty) {
    if (!pretty) return;
    out.append('\n');
    for (int i = 0; i < depth; ++i) out.append(' ');
  }

  private static void write(StringBuilder out, Object v, int depth, boolean pretty) {
    if (v == null) {
      out.append("null");
    } else if (v instanceof String) {
      string(out, (String) v);
    } else if (v instanceof Boolean || v instanceof Integer || v instanceof Long
        || v instanceof java.math.BigInteger) {
      out.append(v);
    } else if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      if (!Double.isFinite(d)) {
        out.append("null");
      } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
        out.append((long) d).append(".0");
      } else {
        out.append(d);
      }
    } else if (v instanceof Map) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
        if (!first) out.append(',');
        first = false;
        newline(out, depth + 1, pretty);
        string(out, e.getKey().toString());
        out.append(pretty ? ": " : ":");
        write(out, e.getValue(), depth + 1, pretty);
      }
      if (!first) newline(out, depth, pretty);
      out.append('}');
    } else if (v instanceof List) {
      out.append('[');
      boolean first = true;
      for (Object item : (List<?>) v) {
        if (!first) out.append(',');
        first = false;
        newline(out, depth + 1, pretty);
        write(out, item, depth + 1, pretty);
      }
      if (!first) newline(out, depth, pretty);
      out.append(']');
    } else if (v instanceof long[]) {
      out.append('[');
      long[] a = (long[]) v;
      for (int i = 0; i < a.length; ++i) out.append(i == 0 ? "" : ",").append(a[i]);
      out.append(']');
    } else {
      string(out, v.toString());
    }
  }

  private static void string(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); ++i) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
