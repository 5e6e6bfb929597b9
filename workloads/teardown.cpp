// teardown: the cost of dropping one very large structure at once. Each
// repetition builds a singly linked list and a complete binary tree of small
// nodes (millions at default size), uses them (a checksum traversal), then
// drops both. Repeated `reps` times so the drop histogram has samples.
// Unit of latency: one drop (list + tree). Build and use times go to counters
// (build_ns, use_ns, drop_ns_total), never into the latency histogram.
//
// Live bytes: one repetition's list and tree at once, counted as logical data:
// 16 B per list node (next pointer + value) and 24 B per tree node (two child
// pointers + value), whatever a strategy adds on top (headers, control blocks).
//
// Strategy formulations (see docs/workloads/teardown.md):
//  - malloc families (and boehm-free, with GC_FREE): walk the list and free
//    node by node; free the tree post-order (recursion depth = tree height, ~20).
//  - shared_ptr: dropping the owner frees everything by refcount cascade. The
//    list cascade would recurse once per node (2M frames overflow the stack),
//    so it is unlinked iteratively: detach `next`, then drop the node. The tree
//    is dropped at its root (cascade depth = tree height).
//  - arena: the repetition runs in a region; the drop is the region rewind.
//  - Boehm: the drop is clearing two roots; the deferred cost shows as
//    collections during the next repetition's build, which is inside the run.
//    Nothing is forced.
#include "workloads/workload.hpp"

namespace mmbench {

template <Strategy S>
struct Teardown {
  static constexpr WorkloadInfo kInfo{
      .name = "teardown",
      .unit = "drop",
      .description = "build a multi-million-node list and tree, use them, drop them at once",
  };
  static constexpr std::uint64_t kListNodeBytes = 16;
  static constexpr std::uint64_t kTreeNodeBytes = 24;

  struct ListNode {
    typename S::template Ptr<ListNode> next{};
    std::uint64_t value = 0;
  };
  struct TreeNode {
    typename S::template Ptr<TreeNode> left{};
    typename S::template Ptr<TreeNode> right{};
    std::uint64_t value = 0;
  };
  using ListPtr = typename S::template Ptr<ListNode>;
  using TreePtr = typename S::template Ptr<TreeNode>;

  // Built front to back through a tail pointer, so list order is value order.
  static ListPtr build_list(std::uint64_t n, Rng& rng) {
    ListPtr head{};
    ListNode* tail = nullptr;
    for (std::uint64_t i = 0; i < n; ++i) {
      ListPtr node = S::template make<ListNode>();
      S::raw(node)->value = rng.next();
      if (tail == nullptr) {
        head = std::move(node);
        tail = S::raw(head);
      } else {
        tail->next = std::move(node);
        tail = S::raw(tail->next);
      }
    }
    return head;
  }

  static TreePtr build_tree(int depth, Rng& rng) {
    TreePtr n = S::template make<TreeNode>();
    S::raw(n)->value = rng.next();
    if (depth > 0) {
      S::raw(n)->left = build_tree(depth - 1, rng);
      S::raw(n)->right = build_tree(depth - 1, rng);
    }
    return n;
  }

  static std::uint64_t hash_list(const ListNode* n) {
    std::uint64_t h = 0;
    for (; n != nullptr; n = S::raw(n->next)) h = mix64(h ^ n->value);
    return h;
  }

  // Pre-order, order-sensitive.
  static std::uint64_t hash_tree(const TreeNode* n, std::uint64_t h) {
    h = mix64(h ^ n->value);
    if (n->left) h = hash_tree(S::raw(n->left), h);
    if (n->right) h = hash_tree(S::raw(n->right), h);
    return h;
  }

  static void drop_tree(TreePtr& n) {
    if constexpr (kFreesEachObject<S>) {
      if (!n) return;
      drop_tree(S::raw(n)->left);
      drop_tree(S::raw(n)->right);
    }
    S::release(n);  // shared_ptr: cascade of depth = tree height
  }

  static WorkloadResult run(RunContext& ctx) {
    const std::uint64_t list_nodes = scaled<std::uint64_t>(ctx.size, 200'000, 2'000'000, 4'000'000);
    const int tree_depth = scaled(ctx.size, 16, 19, 20);  // 2^(d+1)-1 nodes
    const int reps = scaled(ctx.size, 3, 6, 24);
    const std::uint64_t tree_nodes = (std::uint64_t{1} << (tree_depth + 1)) - 1;

    WorkloadResult r;
    std::uint64_t h = mix64(list_nodes ^ (tree_nodes << 32));
    std::int64_t build_ns = 0, use_ns = 0, drop_ns_total = 0;
    for (int rep = 0; rep < reps; ++rep) {
      Rng rng(mix64(ctx.seed ^ (static_cast<std::uint64_t>(rep) << 40)));
      std::int64_t drop_start;
      {
        typename S::Scope scope;
        const std::int64_t t0 = now_ns();
        ListPtr list = build_list(list_nodes, rng);
        TreePtr tree = build_tree(tree_depth, rng);
        const std::int64_t t1 = now_ns();
        h = mix64(h ^ hash_list(S::raw(list)));
        h = hash_tree(S::raw(tree), h);
        const std::int64_t t2 = now_ns();
        build_ns += t1 - t0;
        use_ns += t2 - t1;
        drop_start = now_ns();
        release_list<S>(list);
        drop_tree(tree);
      }  // arena: the region rewind is part of the drop
      const std::int64_t drop_ns = now_ns() - drop_start;
      ctx.record_unit_ns(drop_ns);
      drop_ns_total += drop_ns;
      ++r.units;
    }
    ctx.counters.set("build_ns", static_cast<double>(build_ns));
    ctx.counters.set("use_ns", static_cast<double>(use_ns));
    ctx.counters.set("drop_ns_total", static_cast<double>(drop_ns_total));
    ctx.counters.set("list_nodes", static_cast<double>(list_nodes));
    ctx.counters.set("tree_nodes", static_cast<double>(tree_nodes));
    r.checksum = h;
    r.live_bytes = list_nodes * kListNodeBytes + tree_nodes * kTreeNodeBytes;
    return r;
  }
};

MMBENCH_WORKLOAD(Teardown);

}  // namespace mmbench
