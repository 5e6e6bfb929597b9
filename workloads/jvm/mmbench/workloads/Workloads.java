// The JVM ports of workloads/*.cpp, in the C++ worker's listing order.
package mmbench.workloads;

import java.util.List;

public final class Workloads {
  public static final List<Workload> ALL = List.of(new Baseline(), new BinaryTrees());

  private Workloads() {}
}
