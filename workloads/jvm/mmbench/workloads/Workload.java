// What every workload gets and returns, and how it declares itself: the JVM
// port of workloads/workload.hpp. A workload implements run(RunContext) and
// declares its WorkloadInfo; Workloads.ALL lists them for the worker. The work
// done must be fixed for a given (size, threads, seed) and the checksum must
// depend only on the data built, so that the JVM's collectors return the same
// checksum as every C++ strategy.
package mmbench.workloads;

public interface Workload {
  WorkloadInfo info();

  WorkloadResult run(RunContext ctx) throws Exception;

  // 64-bit mixing for checksums (splitmix64 finaliser): order-sensitive when
  // chained as h = mix(h ^ x). Java's long arithmetic wraps like uint64_t.
  static long mix64(long x) {
    x += 0x9e3779b97f4a7c15L;
    x = (x ^ (x >>> 30)) * 0xbf58476d1ce4e5b9L;
    x = (x ^ (x >>> 27)) * 0x94d049bb133111ebL;
    return x ^ (x >>> 31);
  }

  // Picks the figure for the run's size: scaled(ctx.size, 4, 16, 20).
  static long scaled(Size s, long quick, long dflt, long large) {
    return s == Size.QUICK ? quick : s == Size.LARGE ? large : dflt;
  }

  static int scaled(Size s, int quick, int dflt, int large) {
    return s == Size.QUICK ? quick : s == Size.LARGE ? large : dflt;
  }

  static double scaled(Size s, double quick, double dflt, double large) {
    return s == Size.QUICK ? quick : s == Size.LARGE ? large : dflt;
  }

  // Unsigned 64-bit helpers for the C++ code's std::uint64_t arithmetic.
  static long udiv(long a, long b) {
    return Long.divideUnsigned(a, b);
  }

  static long umod(long a, long b) {
    return Long.remainderUnsigned(a, b);
  }
}
