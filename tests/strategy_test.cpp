// The strategies the glibc worker hosts, against the contract in
// allocators/strategy.hpp: one typed suite for what every strategy promises,
// then what is particular to the arena (regions) and to Boehm (tracing,
// pause events, thread registration).
//
// This binary links glibc malloc only (checked below): the Boehm tests depend
// on it, as the worker does, and the "memory really came back" checks read
// glibc's own accounting (mallinfo2).
#include <gtest/gtest.h>
#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <map>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "allocators/arena.hpp"
#include "allocators/boehm.hpp"
#include "allocators/epsilon.hpp"
#include "allocators/malloc.hpp"
#include "allocators/pmr.hpp"
#include "allocators/shared_ptr.hpp"
#include "benchmarks/allocator_identity.hpp"
#include "benchmarks/hosted_strategies.hpp"
#include "workloads/workload.hpp"

namespace mmbench {
namespace {

// Every strategy the glibc worker hosts (this binary is built with its list).
template <class... S>
constexpr bool all_satisfy_contract(StrategyList<S...>) {
  return (Strategy<S> && ...);
}
static_assert(all_satisfy_contract(HostedStrategies{}));

std::size_t malloc_bytes_in_use() {
  const struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;  // small chunks + mmapped chunks, all arenas
}

// A payload whose integrity is checkable: `check` is a function of `value`.
struct Record {
  std::uint64_t value;
  std::uint64_t check;
  double weight;
  Record(std::uint64_t v, double w) : value(v), check(mix64(v)), weight(w) {}
  bool intact(std::uint64_t expected) const { return value == expected && check == mix64(value); }
};

// Counts destructor runs, to see which strategies run them at release.
struct Tracked {
  static inline int destroyed = 0;
  std::uint64_t value;
  char padding[4000];  // big enough that malloc's accounting moves visibly
  explicit Tracked(std::uint64_t v) : value(v), padding{} {}
  ~Tracked() { ++destroyed; }
};

template <class S>
struct ListNode {
  typename S::template Ptr<ListNode> next{};
  typename S::template Weak<ListNode> prev{};
  std::uint64_t value = 0;
  std::uint64_t check = 0;
};

// Builds a doubly linked list of n nodes holding base, base+1, ...
template <class S>
typename S::template Ptr<ListNode<S>> build_list(std::uint64_t base, int n) {
  using Ptr = typename S::template Ptr<ListNode<S>>;
  Ptr head{};
  for (int i = n - 1; i >= 0; --i) {
    Ptr node = S::template make<ListNode<S>>();
    S::raw(node)->value = base + static_cast<std::uint64_t>(i);
    S::raw(node)->check = mix64(base + static_cast<std::uint64_t>(i));
    if (head) S::raw(head)->prev = S::weak(node);
    S::raw(node)->next = std::move(head);
    head = std::move(node);
  }
  return head;
}

// Number of nodes that hold what build_list put there, walking forward and
// checking each back edge.
template <class S>
int intact_nodes(const typename S::template Ptr<ListNode<S>>& head, std::uint64_t base) {
  int ok = 0;
  const ListNode<S>* prev = nullptr;
  std::uint64_t i = 0;
  for (ListNode<S>* n = S::raw(head); n != nullptr; n = S::raw(n->next), ++i) {
    if (n->value == base + i && n->check == mix64(base + i) &&
        (prev == nullptr || S::raw(n->prev) == prev)) {
      ++ok;
    }
    prev = n;
  }
  return ok;
}

// Iterative teardown (a recursive shared_ptr cascade could be deep).
template <class S>
void release_list(typename S::template Ptr<ListNode<S>>& head) {
  while (head) {
    auto next = std::move(S::raw(head)->next);
    S::release(head);
    head = std::move(next);
  }
}

template <class S>
void collect_if_tracing() {
  if constexpr (S::kReclaim == Reclaim::kTracing) GC_gcollect();
}

template <class S>
class StrategyTest : public ::testing::Test {};

struct StrategyName {
  template <class S>
  static std::string GetName(int) {
    std::string name(S::kName);
    for (char& c : name) {
      if (c == '-') c = '_';
    }
    return name;
  }
};

// The collector's mode is process-wide (BoehmRuntime::init, once, before the
// first allocation), so each mode is a binary of its own, built from this file
// with MMBENCH_TEST_BOEHM_MODE (tests/CMakeLists.txt): strategy_test runs the
// plain collector, strategy_test_incremental and strategy_test_markers the
// variants, each in the mode its strategy's worker process runs.
#ifndef MMBENCH_TEST_BOEHM_MODE
#define MMBENCH_TEST_BOEHM_MODE kPlain
#endif
constexpr BoehmConfig kProcessGc{.mode = BoehmMode::MMBENCH_TEST_BOEHM_MODE};

// The glibc worker's strategies (its hosted list) except the single-threaded
// ones (std::pmr), whose process-wide default resource and single-thread rule
// need a process of their own; each collector variant in the binary that runs
// its mode, the others in the plain one.
template <class S>
constexpr bool kRunsInThisProcess = [] {
  if constexpr (requires { S::kGcConfig; }) {
    return S::kGcConfig.mode == kProcessGc.mode;
  } else {
    return kProcessGc.mode == BoehmMode::kPlain && !SingleThreaded<S>;
  }
}();

template <class In, class Out = StrategyList<>>
struct InThisProcess;
template <class... Out>
struct InThisProcess<StrategyList<>, StrategyList<Out...>> {
  using type = ::testing::Types<Out...>;
};
template <class S, class... Rest, class... Out>
struct InThisProcess<StrategyList<S, Rest...>, StrategyList<Out...>> {
  using type =
      typename InThisProcess<StrategyList<Rest...>,
                             std::conditional_t<kRunsInThisProcess<S>, StrategyList<Out..., S>,
                                                StrategyList<Out...>>>::type;
};
using TestedStrategies = InThisProcess<HostedStrategies>::type;
TYPED_TEST_SUITE(StrategyTest, TestedStrategies, StrategyName);

TYPED_TEST(StrategyTest, MakeConstructsWithArguments) {
  using S = TypeParam;
  typename S::Scope scope;
  auto p = S::template make<Record>(std::uint64_t{77}, 2.5);
  ASSERT_NE(S::raw(p), nullptr);
  EXPECT_TRUE(S::raw(p)->intact(77));
  EXPECT_EQ(S::raw(p)->weight, 2.5);
  auto q = S::template make<Record>(std::uint64_t{78}, -1.0);
  EXPECT_NE(S::raw(q), S::raw(p));
  EXPECT_TRUE(S::raw(p)->intact(77));
  EXPECT_TRUE(S::raw(q)->intact(78));
  S::release(q);
  S::release(p);
}

TYPED_TEST(StrategyTest, RawAndWeakRoundTrip) {
  using S = TypeParam;
  typename S::Scope scope;
  auto p = S::template make<Record>(std::uint64_t{5}, 0.0);
  auto w = S::weak(p);
  EXPECT_EQ(S::raw(w), S::raw(p));
  S::raw(w)->value = 6;  // a weak edge reaches the same object
  EXPECT_EQ(S::raw(p)->value, 6u);
  typename S::template Ptr<Record> null_ptr{};
  EXPECT_EQ(S::raw(null_ptr), nullptr);
  S::release(p);
}

TYPED_TEST(StrategyTest, ReleaseNullsThePointer) {
  using S = TypeParam;
  typename S::Scope scope;
  auto p = S::template make<Record>(std::uint64_t{9}, 1.0);
  auto w = S::weak(p);
  S::release(p);
  EXPECT_EQ(S::raw(p), nullptr);
  if constexpr (S::kReclaim == Reclaim::kRefCount) {
    EXPECT_EQ(S::raw(w), nullptr) << "the last owner is gone: the weak edge must expire";
  }
  S::release(p);  // releasing a null pointer is harmless
  EXPECT_EQ(S::raw(p), nullptr);
}

TYPED_TEST(StrategyTest, ReleaseReclaimsAsDocumented) {
  using S = TypeParam;
  collect_if_tracing<S>();  // a fresh cycle: no collection inside the measured part
  const int destroyed_before = Tracked::destroyed;
  const std::size_t in_use_before = malloc_bytes_in_use();
  const std::size_t gc_freed_before = GC_get_expl_freed_bytes_since_gc();
  typename S::template Ptr<Tracked> p{};
  std::size_t in_use_while_live = 0;
  {
    typename S::Scope scope;
    p = S::template make<Tracked>(std::uint64_t{3});
    in_use_while_live = malloc_bytes_in_use();
    S::release(p);
  }
  const std::size_t in_use_after = malloc_bytes_in_use();
  const std::size_t gc_freed_after = GC_get_expl_freed_bytes_since_gc();

  if constexpr (kNeedsRelease<S>) {
    // malloc / shared_ptr: destructor ran and malloc got the bytes back.
    EXPECT_EQ(Tracked::destroyed, destroyed_before + 1);
    EXPECT_GE(in_use_while_live, in_use_before + sizeof(Tracked));
    EXPECT_EQ(in_use_after, in_use_before);
  } else if constexpr (kFreesEachObject<S>) {
    // boehm-free: destructor, then GC_FREE, where malloc would free.
    EXPECT_EQ(Tracked::destroyed, destroyed_before + 1);
  } else {
    // Arena and plain Boehm never run destructors (objects must own nothing).
    EXPECT_EQ(Tracked::destroyed, destroyed_before);
  }
  if constexpr (S::kReclaim != Reclaim::kTracing) {
    // no collector involved
  } else if constexpr (S::kGcConfig.free_explicitly) {
    EXPECT_GE(gc_freed_after, gc_freed_before + sizeof(Tracked)) << "GC_FREE did not run";
  } else {
    EXPECT_EQ(gc_freed_after, gc_freed_before) << "plain Boehm must leave reclamation to the GC";
  }
}

TYPED_TEST(StrategyTest, ContainerWithStrategyAllocatorHoldsValues) {
  using S = TypeParam;
  typename S::Scope scope;
  std::vector<std::uint64_t, typename S::template Allocator<std::uint64_t>> numbers;
  for (std::uint64_t i = 0; i < 100'000; ++i) numbers.push_back(mix64(i));
  using Pair = std::pair<const int, std::uint64_t>;
  std::map<int, std::uint64_t, std::less<int>, typename S::template Allocator<Pair>> by_key;
  for (int i = 0; i < 2000; ++i) by_key.emplace(i * 7 % 2003, static_cast<std::uint64_t>(i));

  // Pointers to strategy objects held only in a container of the strategy's allocator.
  using RecordPtr = typename S::template Ptr<Record>;
  std::vector<RecordPtr, typename S::template Allocator<RecordPtr>> records;
  for (std::uint64_t i = 0; i < 5000; ++i) records.push_back(S::template make<Record>(i, 0.5));
  collect_if_tracing<S>();

  for (std::uint64_t i = 0; i < numbers.size(); ++i) ASSERT_EQ(numbers[i], mix64(i)) << i;
  ASSERT_EQ(by_key.size(), 2000u);
  for (int i = 0; i < 2000; ++i) ASSERT_EQ(by_key.at(i * 7 % 2003), static_cast<std::uint64_t>(i));
  for (std::uint64_t i = 0; i < records.size(); ++i) ASSERT_TRUE(S::raw(records[i])->intact(i));
  for (auto& r : records) S::release(r);
}

TYPED_TEST(StrategyTest, LinkedStructureWithBackEdges) {
  using S = TypeParam;
  typename S::Scope scope;
  auto head = build_list<S>(1000, 10'000);
  collect_if_tracing<S>();
  EXPECT_EQ(intact_nodes<S>(head, 1000), 10'000);
  release_list<S>(head);
  EXPECT_EQ(S::raw(head), nullptr);
}

TYPED_TEST(StrategyTest, ThreadScopeAllowsAllocationInThreads) {
  using S = TypeParam;
  std::atomic<int> intact_total{0};
  auto work = [&](std::uint64_t base) {
    typename S::ThreadScope registration;
    for (int round = 0; round < 20; ++round) {
      typename S::Scope scope;
      auto head = build_list<S>(base + static_cast<std::uint64_t>(round), 1000);
      intact_total += intact_nodes<S>(head, base + static_cast<std::uint64_t>(round));
      release_list<S>(head);
    }
  };
  std::thread a(work, 1u << 20), b(work, 2u << 20);
  a.join();
  b.join();
  EXPECT_EQ(intact_total.load(), 2 * 20 * 1000);
}

// ---- epsilon: never frees, never reuses ---------------------------------------

TEST(EpsilonTest, NothingIsReused) {
  const std::size_t in_use_before = malloc_bytes_in_use();
  auto* p = Epsilon::make<Record>(std::uint64_t{1}, 1.0);
  Record* const first = p;
  Epsilon::release(p);
  EXPECT_EQ(p, nullptr);
  { Epsilon::Scope scope; }  // a scope gives nothing back either
  auto* q = Epsilon::make<Record>(std::uint64_t{2}, 2.0);
  EXPECT_NE(q, first) << "epsilon must not reuse released memory";
  EXPECT_TRUE(first->intact(1)) << "released memory must stay untouched";
  EXPECT_EQ(malloc_bytes_in_use(), in_use_before) << "epsilon maps its own memory";
}

TEST(EpsilonTest, ChunksAndBigObjectsCountAgainstTheCap) {
  const std::size_t before = EpsilonHeap::mapped_bytes();
  void* big = EpsilonHeap::allocate(EpsilonHeap::kChunkBytes, 64);
  ASSERT_NE(big, nullptr);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(big) % 64, 0u);
  std::memset(big, 0xab, EpsilonHeap::kChunkBytes);
  EXPECT_GE(EpsilonHeap::mapped_bytes(), before + EpsilonHeap::kChunkBytes);
  EXPECT_LE(EpsilonHeap::mapped_bytes(), EpsilonHeap::cap_bytes());
  for (std::size_t align : {1u, 8u, 16u, 64u, 4096u}) {
    void* p = EpsilonHeap::allocate(24, align);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p) % align, 0u) << align;
  }
}

TEST(EpsilonTest, EndPassGivesEverythingBackAndTheNextPassStartsAfresh) {
  auto* p = Epsilon::make<Record>(std::uint64_t{5}, 5.0);
  void* big = EpsilonHeap::allocate(EpsilonHeap::kChunkBytes, 64);
  std::memset(big, 0xcd, EpsilonHeap::kChunkBytes);
  EXPECT_TRUE(p->intact(5));
  EXPECT_GE(EpsilonHeap::mapped_bytes(), 2 * EpsilonHeap::kChunkBytes);
  Epsilon::end_pass();  // between passes: nothing of this pass is in use any more
  EXPECT_EQ(EpsilonHeap::mapped_bytes(), 0u);
  auto* q = Epsilon::make<Record>(std::uint64_t{6}, 6.0);  // a fresh chunk, usable
  EXPECT_TRUE(q->intact(6));
  EXPECT_EQ(EpsilonHeap::mapped_bytes(), EpsilonHeap::kChunkBytes);
}

TEST(EpsilonTest, DefaultCapIsHalfOfPhysicalMemory) {
  if (std::getenv(EpsilonHeap::kCapEnv) != nullptr) GTEST_SKIP() << "cap set from the environment";
  const std::size_t phys = static_cast<std::size_t>(sysconf(_SC_PHYS_PAGES)) *
                           static_cast<std::size_t>(sysconf(_SC_PAGE_SIZE));
  EXPECT_EQ(EpsilonHeap::cap_bytes(), phys / 2);
  EXPECT_STREQ(EpsilonHeap::cap_source(), "physical/2");
}

// ---- the test binary itself ------------------------------------------------

TEST(TestBinary, MallocIsGlibc) {
  const AllocatorIdentity id = identify_allocator();
  EXPECT_EQ(id.family, "glibc") << id.malloc_from;
  EXPECT_EQ(allocator_mismatch(id, "glibc"), "");
}

// ---- arena -----------------------------------------------------------------

bool same_mark(ArenaHeap::Mark a, ArenaHeap::Mark b) {
  return a.chunk == b.chunk && a.cursor == b.cursor;
}

TEST(ArenaTest, ScopeRewindsToItsMark) {
  ArenaHeap& heap = ArenaHeap::local();
  Arena::make<Record>(std::uint64_t{1}, 0.0);  // make sure a chunk is current
  const ArenaHeap::Mark before = heap.mark();
  {
    Arena::Scope scope;
    for (int i = 0; i < 100; ++i) Arena::make<Record>(static_cast<std::uint64_t>(i), 0.0);
    EXPECT_FALSE(same_mark(heap.mark(), before));
  }
  EXPECT_TRUE(same_mark(heap.mark(), before));
}

TEST(ArenaTest, MemoryIsReusedAfterRewind) {
  const Record* first = nullptr;
  {
    Arena::Scope scope;
    first = Arena::make<Record>(std::uint64_t{1}, 0.0);
  }
  {
    Arena::Scope scope;
    const Record* second = Arena::make<Record>(std::uint64_t{2}, 0.0);
    EXPECT_EQ(second, first);
    EXPECT_TRUE(second->intact(2));
  }
}

TEST(ArenaTest, ChunksAreReusedAcrossScopes) {
  ArenaHeap& heap = ArenaHeap::local();
  // Several standard chunks' worth of small objects, rewound each time.
  auto fill = [] {
    Arena::Scope scope;
    for (int i = 0; i < 100'000; ++i) Arena::make<Record>(static_cast<std::uint64_t>(i), 1.0);
  };
  fill();
  const std::size_t reserved = heap.reserved_bytes();
  EXPECT_GE(reserved, 100'000 * sizeof(Record));
  for (int round = 0; round < 5; ++round) fill();
  EXPECT_EQ(heap.reserved_bytes(), reserved) << "rewound chunks must be reused, not reallocated";
}

TEST(ArenaTest, NestedScopes) {
  ArenaHeap& heap = ArenaHeap::local();
  Arena::Scope outer;
  Record* a = Arena::make<Record>(std::uint64_t{10}, 0.0);
  const ArenaHeap::Mark after_a = heap.mark();
  const Record* inner_first = nullptr;
  {
    Arena::Scope inner;
    inner_first = Arena::make<Record>(std::uint64_t{11}, 0.0);
    {
      Arena::Scope innermost;
      for (int i = 0; i < 50'000; ++i) Arena::make<Record>(static_cast<std::uint64_t>(i), 0.0);
    }
    EXPECT_TRUE(inner_first->intact(11));
    Arena::make<Record>(std::uint64_t{12}, 0.0);
  }
  EXPECT_TRUE(same_mark(heap.mark(), after_a));
  EXPECT_TRUE(a->intact(10)) << "the outer scope's object must survive inner rewinds";
  const Record* next = Arena::make<Record>(std::uint64_t{13}, 0.0);
  EXPECT_EQ(next, inner_first);
}

TEST(ArenaTest, BigObjectsGetTheirOwnChunk) {
  // Over a quarter chunk: a chunk of its own when it does not fit the current one.
  struct Big {
    std::uint64_t words[ArenaHeap::kChunkBytes / 4 / sizeof(std::uint64_t) + 100];
  };
  static_assert(sizeof(Big) > ArenaHeap::kChunkBytes / 4);
  struct Huge {  // larger than a standard chunk
    std::uint64_t words[3 * ArenaHeap::kChunkBytes / sizeof(std::uint64_t)];
  };
  constexpr std::size_t kStandardChunk = sizeof(Chunk) + ArenaHeap::kChunkBytes;
  std::size_t reserved_big = 0, reserved_huge = 0, reserved_after = 0, reserved_at_start = 0;
  bool contents_ok = false, disjoint = false;
  // A fresh thread has a fresh arena, so the first object starts the first chunk.
  std::thread fresh([&] {
    ArenaHeap& heap = ArenaHeap::local();
    reserved_at_start = heap.reserved_bytes();
    {
      Arena::Scope scope;
      Big* big = Arena::make<Big>();
      reserved_big = heap.reserved_bytes();
      Record* small = Arena::make<Record>(std::uint64_t{20}, 0.0);
      Huge* huge = Arena::make<Huge>();
      reserved_huge = heap.reserved_bytes();
      Record* small_after = Arena::make<Record>(std::uint64_t{21}, 0.0);
      for (std::size_t i = 0; i < std::size(big->words); ++i) big->words[i] = i;
      for (std::size_t i = 0; i < std::size(huge->words); ++i) huge->words[i] = ~i;
      contents_ok = small->intact(20) && small_after->intact(21);
      for (std::size_t i = 0; i < std::size(big->words); ++i) contents_ok &= big->words[i] == i;
      for (std::size_t i = 0; i < std::size(huge->words); ++i) contents_ok &= huge->words[i] == ~i;
      auto range = [](const void* p, std::size_t n) {
        const auto b = reinterpret_cast<std::uintptr_t>(p);
        return std::pair{b, b + n};
      };
      const std::pair<std::uintptr_t, std::uintptr_t> ranges[] = {
          range(big, sizeof(Big)), range(small, sizeof(Record)), range(huge, sizeof(Huge)),
          range(small_after, sizeof(Record))};
      disjoint = true;
      for (const auto& a : ranges) {
        for (const auto& b : ranges) {
          if (&a != &b) disjoint &= a.second <= b.first || b.second <= a.first;
        }
      }
    }
    reserved_after = heap.reserved_bytes();
  });
  fresh.join();
  EXPECT_EQ(reserved_at_start, 0u);
  // The big object's chunk is its own size, not a standard chunk.
  EXPECT_GE(reserved_big, sizeof(Big));
  EXPECT_LE(reserved_big, sizeof(Chunk) + sizeof(Big) + 64);
  EXPECT_GE(reserved_huge, reserved_big + sizeof(Huge));
  EXPECT_TRUE(contents_ok);
  EXPECT_TRUE(disjoint) << "objects overlap";
  // At rewind the oversized chunks go back to malloc; only standard chunks stay.
  EXPECT_GT(reserved_after, 0u);
  EXPECT_EQ(reserved_after % kStandardChunk, 0u) << reserved_after;
}

TEST(ArenaTest, AllocationsHonourAlignment) {
  Arena::Scope scope;
  ArenaHeap& heap = ArenaHeap::local();
  for (std::size_t align : {1, 2, 8, 16, 64, 4096}) {
    heap.allocate(3, 1);  // misalign the cursor
    void* p = heap.allocate(24, align);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p) % align, 0u) << align;
  }
}

TEST(ArenaTest, ThreadExitReturnsChunksToMalloc) {
  const std::size_t before = malloc_bytes_in_use();
  std::size_t reserved_in_thread = 0;
  std::thread t([&] {
    for (int i = 0; i < 200'000; ++i) Arena::make<Record>(static_cast<std::uint64_t>(i), 0.0);
    reserved_in_thread = ArenaHeap::local().reserved_bytes();
  });
  t.join();
  const std::size_t after = malloc_bytes_in_use();
  EXPECT_GE(reserved_in_thread, 200'000 * sizeof(Record));
  // Anything the thread machinery keeps is far below one chunk.
  EXPECT_LT(after, before + ArenaHeap::kChunkBytes / 4);
}

// ---- Boehm -----------------------------------------------------------------

struct GcCell {
  std::uint64_t value;
  std::uint64_t check;
  std::uint64_t pad[6];  // 64 bytes: one size class shared with the churn below
};

// Allocates `bytes` of unreachable GC objects filled with a pattern, so that
// any reachable object the collector wrongly freed gets overwritten.
void churn_gc_heap(std::size_t bytes) {
  for (std::size_t done = 0; done < bytes; done += sizeof(GcCell)) {
    auto* c = static_cast<GcCell*>(GC_MALLOC(sizeof(GcCell)));
    ASSERT_NE(c, nullptr);
    std::memset(c, 0xAB, sizeof(GcCell));
  }
}

// The mode really applied: libgc's own state, not only what init() recorded.
TEST(BoehmTest, CollectorRunsInThisBinarysMode) {
  ASSERT_TRUE(BoehmRuntime::initialized());
  EXPECT_EQ(BoehmRuntime::config().mode, kProcessGc.mode);
  const bool incremental = kProcessGc.mode == BoehmMode::kIncremental;
  EXPECT_EQ(GC_is_incremental_mode() != 0, incremental);
  if (kProcessGc.mode == BoehmMode::kParallelMark) {
    // GC_get_parallel() counts the marker threads besides the initiating one.
    EXPECT_EQ(static_cast<unsigned>(GC_get_parallel()) + 1, BoehmRuntime::settings().markers);
    EXPECT_GE(BoehmRuntime::settings().markers, 2u);
  } else {
    EXPECT_EQ(GC_get_parallel(), 0) << "one marker unless this is the parallel variant";
  }
}

TEST(BoehmTest, InitIsIdempotentAndCollectorRuns) {
  ASSERT_TRUE(BoehmRuntime::initialized());
  EXPECT_TRUE(GC_is_init_called());
  EXPECT_GE(GC_get_gc_no(), 1u) << "GC_INIT runs collection #1";
  const auto gc_no = GC_get_gc_no();
  const std::size_t events = BoehmRuntime::event_count();
  BoehmRuntime::init();
  EXPECT_EQ(GC_get_gc_no(), gc_no);
  EXPECT_EQ(BoehmRuntime::event_count(), events);
}

TEST(BoehmTest, ObjectsReachableOnlyThroughGcAllocatorVectorSurvive) {
  std::vector<GcCell*, gc_allocator<GcCell*>> cells;
  for (std::uint64_t i = 0; i < 20'000; ++i) {
    auto* c = Boehm::make<GcCell>();
    c->value = i;
    c->check = mix64(i);
    cells.push_back(c);
  }
  const auto gc_no = GC_get_gc_no();
  for (int round = 0; round < 3; ++round) {
    GC_gcollect();
    churn_gc_heap(16 << 20);
  }
  EXPECT_GE(GC_get_gc_no(), gc_no + 3);
  int intact = 0;
  for (std::uint64_t i = 0; i < cells.size(); ++i) {
    intact += cells[i]->value == i && cells[i]->check == mix64(i) && GC_base(cells[i]) == cells[i];
  }
  EXPECT_EQ(intact, 20'000);
}

TEST(BoehmTest, UnreachableObjectsAreCollected) {
  GC_gcollect();
  const std::size_t heap_before = GC_get_heap_size();
  const std::size_t total_before = GC_get_total_bytes();
  const auto gc_no = GC_get_gc_no();
  const std::size_t to_allocate = std::max<std::size_t>(100 * heap_before, 256 << 20);
  churn_gc_heap(to_allocate);
  const std::size_t heap_after = GC_get_heap_size();
  EXPECT_GE(GC_get_total_bytes() - total_before, to_allocate);
  EXPECT_GT(GC_get_gc_no(), gc_no) << "allocation must have triggered collections";
  // Bounded: the heap stays a small fraction of what went through it.
  EXPECT_LT(heap_after, to_allocate / 10)
      << "heap " << heap_before << " -> " << heap_after << " after " << to_allocate << " bytes";
}

TEST(BoehmTest, EachCollectionRecordsOnePauseEvent) {
  for (int i = 0; i < 3; ++i) {
    const std::int64_t count_before = BoehmRuntime::pauses().count();
    const std::size_t events_before = BoehmRuntime::event_count();
    const std::int64_t t0 = now_ns();
    GC_gcollect();
    const std::int64_t t1 = now_ns();
    ASSERT_EQ(BoehmRuntime::pauses().count(), count_before + 1);
    ASSERT_EQ(BoehmRuntime::event_count(), events_before + 1);
    const BoehmRuntime::PauseEvent e = BoehmRuntime::events()[events_before];
    // The stop-the-world window lies inside the GC_gcollect call.
    EXPECT_GE(e.start_ns, t0);
    EXPECT_GT(e.duration_ns, 0);
    EXPECT_LE(e.start_ns + e.duration_ns, t1);
  }
  // The histogram and the event log are fed the same durations: the exact
  // maximum of one is the largest of the other (not merely >= the last one).
  ASSERT_LT(BoehmRuntime::event_count(), BoehmRuntime::kMaxPauseEvents);
  std::int64_t largest = 0;
  for (std::size_t i = 0; i < BoehmRuntime::event_count(); ++i) {
    largest = std::max(largest, BoehmRuntime::events()[i].duration_ns);
  }
  EXPECT_EQ(BoehmRuntime::pauses().max(), largest);
  EXPECT_EQ(BoehmRuntime::pauses().count(), static_cast<std::int64_t>(BoehmRuntime::event_count()));
}

// Lists built by the mutator threads, kept in static data: the collector scans
// the executable's data as roots, so these stay reachable after the threads end.
ListNode<Boehm>* g_thread_lists[2] = {nullptr, nullptr};

TEST(BoehmTest, ThreadScopesSurviveConcurrentCollections) {
  constexpr int kLongLived = 5000;
  constexpr int kRounds = 300;
  std::atomic<int> running{2};
  std::atomic<int> damaged{0};
  auto mutator = [&](int id) {
    Boehm::ThreadScope registration;
    const std::uint64_t base = static_cast<std::uint64_t>(id + 1) << 32;
    ListNode<Boehm>* long_lived = build_list<Boehm>(base, kLongLived);
    for (int round = 0; round < kRounds; ++round) {
      const std::uint64_t round_base = base + (static_cast<std::uint64_t>(round + 1) << 16);
      ListNode<Boehm>* short_lived = build_list<Boehm>(round_base, 1000);
      if (intact_nodes<Boehm>(short_lived, round_base) != 1000) ++damaged;
      if (round % 50 == 0 && intact_nodes<Boehm>(long_lived, base) != kLongLived) ++damaged;
    }
    if (intact_nodes<Boehm>(long_lived, base) != kLongLived) ++damaged;
    g_thread_lists[id] = long_lived;
    --running;
  };
  const auto gc_no = GC_get_gc_no();
  std::thread a(mutator, 0), b(mutator, 1);
  int forced = 0;
  while (running.load() > 0) {
    GC_gcollect();
    ++forced;
  }
  a.join();
  b.join();
  EXPECT_EQ(damaged.load(), 0);
  EXPECT_GE(GC_get_gc_no(), gc_no + static_cast<unsigned>(forced));
  GC_gcollect();
  churn_gc_heap(16 << 20);
  for (int id = 0; id < 2; ++id) {
    EXPECT_EQ(intact_nodes<Boehm>(g_thread_lists[id], static_cast<std::uint64_t>(id + 1) << 32),
              kLongLived);
    g_thread_lists[id] = nullptr;
  }
}

}  // namespace
}  // namespace mmbench

int main(int argc, char** argv) {
  // GC_INIT from the main thread, before any test allocates, as the worker does.
  // In the mode of the variants this binary tests, configured as the worker does.
  mmbench::BoehmRuntime::init(mmbench::kProcessGc,
                              mmbench::BoehmSettings::from_environment(mmbench::kProcessGc));
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
