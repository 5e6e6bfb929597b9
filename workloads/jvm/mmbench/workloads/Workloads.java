// The JVM ports of workloads/*.cpp, in the C++ worker's listing order.
package mmbench.workloads;

import java.util.List;

public final class Workloads {
  public static final List<Workload> ALL = List.of(new Baseline(), new BinaryTrees(),
      new GraphCycles(), new LeakExit(), new LruCache(), new MessageRing(), new ProducerConsumer(),
      new RealTimeLoop(), new RequestServer(), new Teardown());

  private Workloads() {}
}
