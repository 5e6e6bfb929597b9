// Test-only faults (--fault): a JVM crash (hs_err report, then SIGABRT), a
// hang, a real OutOfMemoryError.
package mmbench.jvm;

import java.util.ArrayList;
import java.util.List;

final class Faults {
  private Faults() {}

  static void inject(String fault) throws Exception {
    switch (fault) {
      case "crash" -> {
        // A real JVM crash: a store to address 0 through Unsafe, which the
        // JVM's signal handler turns into an hs_err report and an abort.
        Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
        java.lang.reflect.Field f = unsafeClass.getDeclaredField("theUnsafe");
        f.setAccessible(true);
        unsafeClass.getMethod("putAddress", long.class, long.class).invoke(f.get(null), 0L, 0L);
      }
      case "hang" -> {
        for (;;) Thread.sleep(1_000_000);
      }
      case "oom" -> {
        List<long[]> hoard = new ArrayList<>();
        for (;;) hoard.add(new long[1 << 20]);
      }
      default -> { }
    }
  }
}
