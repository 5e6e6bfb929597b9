// The worker's exit codes (base/exit_codes.hpp, benchmarks/mmbench/contract.py).
package mmbench.jvm;

final class ExitCodes {
  static final int OK = 0;
  static final int USAGE = 2;
  static final int ALLOCATOR = 3; // the collector running is not the one the strategy names
  static final int OUT_OF_MEMORY = 4; // OutOfMemoryError (the heap is MMBENCH_JVM_HEAP)
  static final int ERROR = 5;
  static final int UNSUPPORTED = 6; // this JDK has no such collector

  private ExitCodes() {}
}
