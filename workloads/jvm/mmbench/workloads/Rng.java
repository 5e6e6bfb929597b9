// The C++ workloads' PRNG (Rng of workloads/workload.hpp), bit for bit: a
// splitmix stream; below(n) is the high 64 bits of the unsigned 128-bit
// product next() * n.
package mmbench.workloads;

public final class Rng {
  private long state;

  public Rng(long seed) {
    state = seed;
  }

  public long next() {
    return Workload.mix64(state++);
  }

  // Uniform in [0, n), n read as unsigned.
  public long below(long n) {
    return unsignedMultiplyHigh(next(), n);
  }

  public double uniform() {
    return (double) (next() >>> 11) * 0x1.0p-53;
  }

  // Math.unsignedMultiplyHigh arrives in Java 18.
  static long unsignedMultiplyHigh(long a, long b) {
    return Math.multiplyHigh(a, b) + ((a >> 63) & b) + ((b >> 63) & a);
  }
}
