// graph_cycles (workloads/graph_cycles.cpp): a mutable graph with cycles,
// built, rewired and torn down in phases. Each phase builds a tree of N nodes
// (each new node hangs under a random earlier one), gives every node K cross
// links to random nodes, then runs R = 2 rewire rounds of N/4 operations:
// half replace a cross link, half move a random subtree under a random new
// parent (rejected when the new parent lies inside the subtree). A traversal
// hashes the graph, and the whole graph is dropped. Every node also has a
// parent back-edge, so the graph is full of cycles.
// Unit of latency: one phase (build + rewire + traversal + teardown).
//
// Live bytes: one phase's graph, as the C++ workload counts it.
// Managed formulation: parent and cross links are plain references (the C++
// shared_ptr formulation needs weak_ptr for them; a tracing collector takes
// the cycles as they are), and teardown drops the root and the node table.
package mmbench.workloads;

import java.util.ArrayList;

public final class GraphCycles implements Workload {
  private static final WorkloadInfo INFO = new WorkloadInfo("graph_cycles", "phase",
      "mutable graph with parent back-edges and cross links, rewired then dropped");
  static final int CROSS_LINKS = 2;
  static final long NODE_BYTES = 72;
  static final long EDGE_BYTES = 8;

  static final class Node {
    Node parent;
    final ArrayList<Node> children = new ArrayList<>();
    final Node[] cross = new Node[CROSS_LINKS];
    long id = 0;
    long value = 0;
  }

  static final class Stats {
    long moves = 0;
    long rejectedMoves = 0;
    long crossRewires = 0;
    long maxDepth = 0;
  }

  // Traversal scratch, reused across phases so it is not part of the work.
  static final class Stack {
    final Node[] nodes;
    final long[] depths;

    Stack(int n) {
      nodes = new Node[n];
      depths = new long[n];
    }
  }

  @Override
  public WorkloadInfo info() {
    return INFO;
  }

  // Moves the subtree rooted at x under newParent unless that would make a
  // cycle of ownership (newParent inside x's subtree, or x itself).
  static boolean moveSubtree(Node x, Node newParent) {
    for (Node a = newParent; a != null; a = a.parent) {
      if (a == x) return false;
    }
    Node oldParent = x.parent;
    if (oldParent == newParent) return false;
    ArrayList<Node> siblings = oldParent.children;
    int it = siblings.indexOf(x);
    siblings.set(it, siblings.get(siblings.size() - 1));
    siblings.remove(siblings.size() - 1);
    newParent.children.add(x);
    x.parent = newParent;
    return true;
  }

  // Depth-first, children in list order; hashes ids, parent ids, cross targets.
  static long hashGraph(Node root, Stack stack, Stats stats) {
    long h = 0;
    int top = 0;
    stack.nodes[top] = root;
    stack.depths[top++] = 0;
    while (top > 0) {
      Node n = stack.nodes[--top];
      long depth = stack.depths[top];
      stack.nodes[top] = null;
      stats.maxDepth = Math.max(stats.maxDepth, depth);
      Node p = n.parent;
      h = Workload.mix64(h ^ n.id ^ (depth << 32));
      h = Workload.mix64(h ^ n.value ^ (p != null ? p.id << 20 : 0));
      for (Node c : n.cross) h = Workload.mix64(h ^ c.id);
      for (int i = 0; i < n.children.size(); ++i) {
        stack.nodes[top] = n.children.get(i);
        stack.depths[top++] = depth + 1;
      }
    }
    return h;
  }

  static long runPhase(int nNodes, int rounds, Rng rng, Stack stack, Stats stats) {
    // The node table: how the program names nodes (random picks).
    Node[] table = new Node[nNodes];
    Node root = new Node();
    root.value = rng.next();
    table[0] = root;
    for (int i = 1; i < nNodes; ++i) {
      Node node = new Node();
      node.id = i;
      node.value = rng.next();
      int p = (int) rng.below(i);
      node.parent = table[p];
      table[i] = node;
      table[p].children.add(node);
    }
    for (int i = 0; i < nNodes; ++i) {
      for (int k = 0; k < CROSS_LINKS; ++k) table[i].cross[k] = table[(int) rng.below(nNodes)];
    }
    for (int round = 0; round < rounds; ++round) {
      for (long op = 0; op < nNodes / 4; ++op) {
        int a = (int) rng.below(nNodes);
        int b = (int) rng.below(nNodes);
        if (op % 2 == 0) {
          table[a].cross[(int) rng.below(CROSS_LINKS)] = table[b];
          ++stats.crossRewires;
        } else if (a != 0 && moveSubtree(table[a], table[b])) {
          ++stats.moves;
        } else {
          ++stats.rejectedMoves;
        }
      }
    }
    return hashGraph(root, stack, stats); // root and table dropped on return
  }

  @Override
  public WorkloadResult run(RunContext ctx) {
    int nNodes = Workload.scaled(ctx.size, 5_000, 10_000, 20_000);
    int phases = Workload.scaled(ctx.size, 30, 250, 1000);
    int rounds = 2;
    Rng rng = new Rng(Workload.mix64(ctx.seed ^ 0x67726170685f6379L));
    Stack stack = new Stack(nNodes);
    Stats stats = new Stats();
    WorkloadResult r = new WorkloadResult();
    long h = Workload.mix64(nNodes);
    for (int phase = 0; phase < phases; ++phase) {
      long t0 = ctx.unitStart();
      h = Workload.mix64(h ^ runPhase(nNodes, rounds, rng, stack, stats));
      ctx.unitEnd(t0);
      ++r.units;
    }
    ctx.counters.set("nodes_per_phase", nNodes);
    ctx.counters.set("moves", stats.moves);
    ctx.counters.set("rejected_moves", stats.rejectedMoves);
    ctx.counters.set("cross_rewires", stats.crossRewires);
    ctx.counters.set("max_depth", stats.maxDepth);
    r.checksum = h;
    long n = nNodes;
    r.liveBytes = n * NODE_BYTES + (n - 1) * EDGE_BYTES + n * CROSS_LINKS * EDGE_BYTES + n * EDGE_BYTES;
    return r;
  }
}
