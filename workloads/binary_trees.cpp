// binary_trees: the GCBench / binary-trees shape. A stretch tree of depth
// max+1 is built and dropped, a long-lived tree of depth max is kept for the
// whole run, then short-lived trees of depths 4, 6, ... max are built, checked
// and dropped, 2^(max - d + 4) of each depth (equal work per depth).
// Unit of latency: one short-lived tree built, checked and released.
//
// Live bytes: the logical data at its peak, 16 B (two pointers) per node,
// whatever a strategy adds on top (headers, control blocks): the long-lived
// tree plus one short-lived tree of depth max, or the stretch tree if larger.
//
// Strategy formulations: manual strategies (and boehm-free, with GC_FREE) free
// the tree node by node after use; shared_ptr drops the root (a cascade of depth <= max, no stack
// risk); the arena builds each short-lived tree in a region of its own; Boehm drops it.
#include "workloads/workload.hpp"

namespace mmbench {

template <Strategy S>
struct BinaryTrees {
  static constexpr WorkloadInfo kInfo{
      .name = "binary_trees",
      .unit = "tree",
      .description = "GCBench/binary-trees: many short-lived trees beside a long-lived one",
  };
  static constexpr int kMinDepth = 4;
  static constexpr std::uint64_t kNodeBytes = 16;

  struct Node {
    typename S::template Ptr<Node> left{};
    typename S::template Ptr<Node> right{};
  };
  using NodePtr = typename S::template Ptr<Node>;

  static NodePtr build(int depth) {
    NodePtr n = S::template make<Node>();
    if (depth > 0) {
      S::raw(n)->left = build(depth - 1);
      S::raw(n)->right = build(depth - 1);
    }
    return n;
  }

  static std::uint64_t check(const Node* n) {
    std::uint64_t count = 1;
    if (n->left) count += check(S::raw(n->left));
    if (n->right) count += check(S::raw(n->right));
    return count;
  }

  static void drop(NodePtr& n) {
    if constexpr (kFreesEachObject<S>) {
      if (!n) return;
      drop(S::raw(n)->left);
      drop(S::raw(n)->right);
    }
    S::release(n);
  }

  static std::uint64_t nodes(int depth) { return (std::uint64_t{1} << (depth + 1)) - 1; }

  static WorkloadResult run(RunContext& ctx) {
    const int max_depth = scaled(ctx.size, 10, 16, 20);
    WorkloadResult r;
    std::uint64_t h = mix64(static_cast<std::uint64_t>(max_depth));
    {
      typename S::Scope scope;
      NodePtr stretch = build(max_depth + 1);
      h = mix64(h ^ check(S::raw(stretch)));
      drop(stretch);
    }
    NodePtr long_lived = build(max_depth);
    for (int d = kMinDepth; d <= max_depth; d += 2) {
      const std::uint64_t iterations = std::uint64_t{1} << (max_depth - d + kMinDepth);
      std::uint64_t total = 0;
      for (std::uint64_t i = 0; i < iterations; ++i) {
        const std::int64_t t0 = ctx.unit_start();
        {
          typename S::Scope scope;
          NodePtr t = build(d);
          total += check(S::raw(t));
          drop(t);
        }
        ctx.unit_end(t0);
      }
      r.units += iterations;
      h = mix64(h ^ mix64(static_cast<std::uint64_t>(d) ^ (total << 8)));
    }
    h = mix64(h ^ check(S::raw(long_lived)));
    drop(long_lived);
    r.checksum = h;
    r.live_bytes = std::max(nodes(max_depth + 1), nodes(max_depth) + nodes(max_depth)) * kNodeBytes;
    return r;
  }
};

MMBENCH_WORKLOAD(BinaryTrees);

}  // namespace mmbench
