// baseline (workloads/baseline.cpp): allocates one small object and drops it.
// Its peak RSS is the worker's own footprint: here the JVM's (heap reserved,
// code cache, class data, the JIT's threads).
package mmbench.workloads;

public final class Baseline implements Workload {
  private static final WorkloadInfo INFO =
      new WorkloadInfo("baseline", "run", "empty workload: the harness's own footprint per strategy")
          .headline("footprint");

  static final class Cell {
    long value = 0;
  }

  // Cell's logical size, as the C++ sizeof(Cell).
  static final long CELL_BYTES = 8;

  @Override
  public WorkloadInfo info() {
    return INFO;
  }

  @Override
  public WorkloadResult run(RunContext ctx) {
    long t0 = ctx.unitStart();
    Cell p = new Cell();
    p.value = 42;
    long v = p.value;
    p = null; // dropped: the collector's
    ctx.unitEnd(t0);
    return new WorkloadResult(Workload.mix64(v), 1, CELL_BYTES);
  }
}
