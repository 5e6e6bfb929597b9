// binary_trees (workloads/binary_trees.cpp): the GCBench / binary-trees shape.
// A stretch tree of depth max+1 is built and dropped, a long-lived tree of
// depth max is kept for the whole run, then short-lived trees of depths 4, 6,
// ... max are built, checked and dropped, 2^(max - d + 4) of each depth.
// Unit of latency: one short-lived tree built, checked and dropped.
//
// Live bytes: the logical data at its peak, 16 B (two pointers) per node, as
// the C++ workload counts it, whatever the JVM adds (object headers).
// Managed formulation: a dropped tree is a dropped reference (the C++ manual
// strategies free node by node, the arena rewinds a region): the collector's.
package mmbench.workloads;

public final class BinaryTrees implements Workload {
  private static final WorkloadInfo INFO = new WorkloadInfo("binary_trees", "tree",
      "GCBench/binary-trees: many short-lived trees beside a long-lived one");
  static final int MIN_DEPTH = 4;
  static final long NODE_BYTES = 16;

  static final class Node {
    Node left;
    Node right;
  }

  @Override
  public WorkloadInfo info() {
    return INFO;
  }

  static Node build(int depth) {
    Node n = new Node();
    if (depth > 0) {
      n.left = build(depth - 1);
      n.right = build(depth - 1);
    }
    return n;
  }

  static long check(Node n) {
    long count = 1;
    if (n.left != null) count += check(n.left);
    if (n.right != null) count += check(n.right);
    return count;
  }

  static long nodes(int depth) {
    return (1L << (depth + 1)) - 1;
  }

  @Override
  public WorkloadResult run(RunContext ctx) {
    int maxDepth = Workload.scaled(ctx.size, 10, 16, 20);
    WorkloadResult r = new WorkloadResult();
    long h = Workload.mix64(maxDepth);
    {
      Node stretch = build(maxDepth + 1);
      h = Workload.mix64(h ^ check(stretch));
    }
    Node longLived = build(maxDepth);
    for (int d = MIN_DEPTH; d <= maxDepth; d += 2) {
      long iterations = 1L << (maxDepth - d + MIN_DEPTH);
      long total = 0;
      for (long i = 0; i < iterations; ++i) {
        long t0 = ctx.unitStart();
        Node t = build(d);
        total += check(t);
        ctx.unitEnd(t0);
      }
      r.units += iterations;
      h = Workload.mix64(h ^ Workload.mix64((long) d ^ (total << 8)));
    }
    h = Workload.mix64(h ^ check(longLived));
    r.checksum = h;
    r.liveBytes = Math.max(nodes(maxDepth + 1), nodes(maxDepth) + nodes(maxDepth)) * NODE_BYTES;
    return r;
  }
}
