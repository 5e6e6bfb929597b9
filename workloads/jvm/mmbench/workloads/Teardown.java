// teardown (workloads/teardown.cpp): the cost of dropping one very large
// structure at once. Each repetition builds a singly linked list and a
// complete binary tree of small nodes (millions at default size), uses them (a
// checksum traversal), then drops both. Unit of latency: one drop (list +
// tree); build and use times go to counters.
//
// Live bytes: one repetition's list and tree, as the C++ workload counts them
// (16 B per list node, 24 B per tree node), whatever the JVM adds.
// Managed formulation: the drop is clearing two references (as Boehm's); the
// deferred cost shows as collections during the next repetition's build,
// which is inside the run. Nothing is forced.
package mmbench.workloads;

public final class Teardown implements Workload {
  private static final WorkloadInfo INFO = new WorkloadInfo("teardown", "drop",
      "build a multi-million-node list and tree, use them, drop them at once");
  static final long LIST_NODE_BYTES = 16;
  static final long TREE_NODE_BYTES = 24;

  static final class ListNode {
    ListNode next;
    long value;
  }

  static final class TreeNode {
    TreeNode left;
    TreeNode right;
    long value;
  }

  @Override
  public WorkloadInfo info() {
    return INFO;
  }

  // Built front to back through a tail reference, so list order is value order.
  static ListNode buildList(long n, Rng rng) {
    ListNode head = null;
    ListNode tail = null;
    for (long i = 0; i < n; ++i) {
      ListNode node = new ListNode();
      node.value = rng.next();
      if (tail == null) {
        head = node;
      } else {
        tail.next = node;
      }
      tail = node;
    }
    return head;
  }

  static TreeNode buildTree(int depth, Rng rng) {
    TreeNode n = new TreeNode();
    n.value = rng.next();
    if (depth > 0) {
      n.left = buildTree(depth - 1, rng);
      n.right = buildTree(depth - 1, rng);
    }
    return n;
  }

  static long hashList(ListNode n) {
    long h = 0;
    for (; n != null; n = n.next) h = Workload.mix64(h ^ n.value);
    return h;
  }

  // Pre-order, order-sensitive.
  static long hashTree(TreeNode n, long h) {
    h = Workload.mix64(h ^ n.value);
    if (n.left != null) h = hashTree(n.left, h);
    if (n.right != null) h = hashTree(n.right, h);
    return h;
  }

  @Override
  public WorkloadResult run(RunContext ctx) {
    long listNodes = Workload.scaled(ctx.size, 200_000L, 2_000_000L, 4_000_000L);
    int treeDepth = Workload.scaled(ctx.size, 16, 19, 20); // 2^(d+1)-1 nodes
    int reps = Workload.scaled(ctx.size, 3, 6, 24);
    long treeNodes = (1L << (treeDepth + 1)) - 1;

    WorkloadResult r = new WorkloadResult();
    long h = Workload.mix64(listNodes ^ (treeNodes << 32));
    long buildNs = 0, useNs = 0, dropNsTotal = 0;
    for (int rep = 0; rep < reps; ++rep) {
      Rng rng = new Rng(Workload.mix64(ctx.seed ^ ((long) rep << 40)));
      long t0 = RunContext.nowNs();
      ListNode list = buildList(listNodes, rng);
      TreeNode tree = buildTree(treeDepth, rng);
      long t1 = RunContext.nowNs();
      h = Workload.mix64(h ^ hashList(list));
      h = hashTree(tree, h);
      long t2 = RunContext.nowNs();
      buildNs += t1 - t0;
      useNs += t2 - t1;
      long dropStart = RunContext.nowNs();
      list = null; // dropped: the collector's, later
      tree = null;
      long dropNs = RunContext.nowNs() - dropStart;
      ctx.recordUnitNs(dropNs);
      dropNsTotal += dropNs;
      ++r.units;
    }
    ctx.counters.set("build_ns", buildNs);
    ctx.counters.set("use_ns", useNs);
    ctx.counters.set("drop_ns_total", dropNsTotal);
    ctx.counters.set("list_nodes", listNodes);
    ctx.counters.set("tree_nodes", treeNodes);
    r.checksum = h;
    r.liveBytes = listNodes * LIST_NODE_BYTES + treeNodes * TREE_NODE_BYTES;
    return r;
  }
}
