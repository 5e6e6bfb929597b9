// graph_cycles: a mutable graph with cycles, built, rewired and torn down in
// phases. Each phase builds a tree of N nodes (each new node hangs under a
// random earlier one), gives every node K cross links to random nodes, then
// runs R = 2 rewire rounds of N/4 operations each: half replace a cross
// link, half move a random subtree under a random new parent (rejected when
// the new parent lies inside the subtree). A traversal then hashes the graph and the
// whole graph is dropped. Every node also has a parent back-edge, so the graph
// is full of cycles (parent <-> child, cross links to ancestors).
// Unit of latency: one phase (build + rewire + traversal + teardown).
//
// Live bytes: one phase's graph at its peak, as logical data, whatever a
// strategy adds on top: 72 B per node (parent link, id, value, and the
// headers of its two adjacency vectors), 8 B per child edge (N - 1), 8 B per
// cross link (K per node) and 8 B per node-table entry.
//
// Strategy formulations (see docs/workloads/graph_cycles.md):
//  - malloc families (and boehm-free, with GC_FREE): the node table lists every
//    node; teardown releases each.
//  - shared_ptr: children are owned (Ptr); parent links, cross links and the
//    node table are weak (a node is kept alive only by its tree parent), and
//    teardown drops the root (a cascade, recursion depth = tree height).
//  - arena: a region per phase; teardown is the rewind.
//  - Boehm: teardown drops the root and the node table.
#include <algorithm>
#include <vector>

#include "workloads/workload.hpp"

namespace mmbench {

template <Strategy S>
struct GraphCycles {
  static constexpr WorkloadInfo kInfo{
      .name = "graph_cycles",
      .unit = "phase",
      .description = "mutable graph with parent back-edges and cross links, rewired then dropped",
  };
  static constexpr int kCrossLinks = 2;
  static constexpr std::uint64_t kNodeBytes = 72;
  static constexpr std::uint64_t kEdgeBytes = 8;

  struct Node;
  using NodePtr = typename S::template Ptr<Node>;
  using NodeWeak = typename S::template Weak<Node>;
  template <class T>
  using Vec = std::vector<T, typename S::template Allocator<T>>;

  struct Node {
    NodeWeak parent{};
    Vec<NodePtr> children;
    Vec<NodeWeak> cross;
    std::uint64_t id = 0;
    std::uint64_t value = 0;
  };

  struct Stats {
    std::uint64_t moves = 0;
    std::uint64_t rejected_moves = 0;
    std::uint64_t cross_rewires = 0;
    std::uint64_t max_depth = 0;
  };

  // Moves the subtree rooted at x under new_parent unless that would make a
  // cycle of ownership (new_parent inside x's subtree, or x itself).
  static bool move_subtree(Node* x, Node* new_parent, const NodeWeak& new_parent_weak) {
    for (Node* a = new_parent; a != nullptr; a = S::raw(a->parent)) {
      if (a == x) return false;
    }
    Node* old_parent = S::raw(x->parent);
    if (old_parent == new_parent) return false;
    auto& siblings = old_parent->children;
    auto it = std::find_if(siblings.begin(), siblings.end(),
                           [x](const NodePtr& c) { return S::raw(c) == x; });
    NodePtr owned = std::move(*it);
    *it = std::move(siblings.back());
    siblings.pop_back();
    new_parent->children.push_back(std::move(owned));
    x->parent = new_parent_weak;
    return true;
  }

  // Depth-first, children in vector order; hashes ids, parent ids, cross targets.
  static std::uint64_t hash_graph(Node* root, std::vector<std::pair<Node*, std::uint64_t>>& stack,
                                  Stats& stats) {
    std::uint64_t h = 0;
    stack.clear();
    stack.push_back({root, 0});
    while (!stack.empty()) {
      auto [n, depth] = stack.back();
      stack.pop_back();
      stats.max_depth = std::max(stats.max_depth, depth);
      Node* p = S::raw(n->parent);
      h = mix64(h ^ n->id ^ (depth << 32));
      h = mix64(h ^ n->value ^ (p != nullptr ? p->id << 20 : 0));
      for (const NodeWeak& c : n->cross) h = mix64(h ^ S::raw(c)->id);
      for (const NodePtr& c : n->children) stack.push_back({S::raw(c), depth + 1});
    }
    return h;
  }

  static std::uint64_t run_phase(std::uint64_t n_nodes, int rounds, Rng& rng,
                                 std::vector<std::pair<Node*, std::uint64_t>>& stack,
                                 Stats& stats) {
    typename S::Scope scope;
    // The node table: how the program names nodes (random picks, teardown).
    Vec<NodeWeak> table;
    table.reserve(n_nodes);
    NodePtr root = S::template make<Node>();
    S::raw(root)->value = rng.next();
    table.push_back(S::weak(root));
    for (std::uint64_t i = 1; i < n_nodes; ++i) {
      NodePtr n = S::template make<Node>();
      Node* node = S::raw(n);
      node->id = i;
      node->value = rng.next();
      const std::uint64_t p = rng.below(i);
      node->parent = table[p];
      table.push_back(S::weak(n));
      S::raw(table[p])->children.push_back(std::move(n));
    }
    for (std::uint64_t i = 0; i < n_nodes; ++i) {
      Node* node = S::raw(table[i]);
      node->cross.reserve(kCrossLinks);
      for (int k = 0; k < kCrossLinks; ++k) node->cross.push_back(table[rng.below(n_nodes)]);
    }

    for (int round = 0; round < rounds; ++round) {
      for (std::uint64_t op = 0; op < n_nodes / 4; ++op) {
        const std::uint64_t a = rng.below(n_nodes);
        const std::uint64_t b = rng.below(n_nodes);
        if (op % 2 == 0) {
          S::raw(table[a])->cross[rng.below(kCrossLinks)] = table[b];
          ++stats.cross_rewires;
        } else if (a != 0 && move_subtree(S::raw(table[a]), S::raw(table[b]), table[b])) {
          ++stats.moves;
        } else {
          ++stats.rejected_moves;
        }
      }
    }

    const std::uint64_t h = hash_graph(S::raw(root), stack, stats);

    if constexpr (kFreesEachObject<S>) {
      // Every node is in the table; the root is one of them.
      for (NodeWeak& w : table) {
        Node* n = S::raw(w);
        S::release(n);
      }
      root = nullptr;
    } else {
      // shared_ptr: the cascade frees every node (depth = tree height); the
      // table's weak references keep the make_shared blocks until it goes.
      S::release(root);
    }
    return h;
  }

  static WorkloadResult run(RunContext& ctx) {
    const std::uint64_t n_nodes = scaled<std::uint64_t>(ctx.size, 5'000, 10'000, 20'000);
    const int phases = scaled(ctx.size, 30, 250, 1000);
    const int rounds = 2;
    Rng rng(mix64(ctx.seed ^ 0x67726170685f6379ULL));
    // Traversal scratch: reused across phases so it is not part of the work.
    std::vector<std::pair<Node*, std::uint64_t>> stack;
    stack.reserve(n_nodes);
    Stats stats;
    WorkloadResult r;
    std::uint64_t h = mix64(n_nodes);
    for (int phase = 0; phase < phases; ++phase) {
      const std::int64_t t0 = ctx.unit_start();
      h = mix64(h ^ run_phase(n_nodes, rounds, rng, stack, stats));
      ctx.unit_end(t0);
      ++r.units;
    }
    ctx.counters.set("nodes_per_phase", static_cast<double>(n_nodes));
    ctx.counters.set("moves", static_cast<double>(stats.moves));
    ctx.counters.set("rejected_moves", static_cast<double>(stats.rejected_moves));
    ctx.counters.set("cross_rewires", static_cast<double>(stats.cross_rewires));
    ctx.counters.set("max_depth", static_cast<double>(stats.max_depth));
    r.checksum = h;
    r.live_bytes = n_nodes * kNodeBytes + (n_nodes - 1) * kEdgeBytes +
                   n_nodes * kCrossLinks * kEdgeBytes + n_nodes * kEdgeBytes;
    return r;
  }
};

MMBENCH_WORKLOAD(GraphCycles);

}  // namespace mmbench
