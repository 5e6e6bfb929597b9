// The contract between workloads and memory-management strategies.
//
// A workload is written once, as a template over a Strategy, and must compile
// to direct, inlinable code for each one (no virtual call in a hot loop). A
// strategy supplies:
//   Ptr<T>        owning pointer (T* for malloc/arena/GC, shared_ptr<T> for RC)
//   Weak<T>       non-owning back edge (T* except weak_ptr<T> for RC)
//   make<T>(a...) construct a T in the strategy's heap
//   release(p)    end of the owner's interest: free / drop a reference / no-op
//   raw(p)        the T* behind a Ptr or Weak (may be null)
//   weak(p)       a Weak from a Ptr
//   Allocator<T>  allocator for containers whose elements live in this heap
//   Scope         a region: the arena resets to its mark at scope end; a no-op elsewhere
//   ThreadScope   per-thread registration (the collector must know every mutator thread)
//                 (both empty by deriving from NoScopes, overridden where needed)
//   kReclaim      how memory comes back; workloads may branch on it with `if constexpr`
//   kFreesEachObject  (optional) true: release() frees each object even though
//                 kReclaim is not kExplicit (see the trait below)
// A region strategy (kReclaim == kRegion) also supplies
//   Region        a standalone region, outside the Scope stack (which is LIFO),
//                 for workloads whose data dies in another order (FIFO caches,
//                 rings, semispaces): allocate(bytes, align), reset() (frees
//                 everything in it at once), Allocator<T> and allocator() for
//                 containers bound to that region. See RegionStrategy.
// Optional hooks, each a small named concept below (the worker calls them with
// `if constexpr`, never by asking a strategy's name): process set-up,
// configuration report, the collector's pause events around a run, its
// version, between-pass release, the drain phase's release call, and a
// declared refusal of threaded workloads.
//
// Strategies are this layer: they include base/ and nothing from workloads/ or
// benchmarks/.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/histogram.hpp"

namespace mmbench {

enum class Reclaim {
  kExplicit,  // free() each object (glibc, mimalloc, jemalloc, ...)
  kRefCount,  // last reference drop frees (shared_ptr)
  kRegion,    // whole regions at once (arena, pmr monotonic)
  kTracing,   // a collector finds garbage (Boehm)
  kNever,     // nothing is ever reclaimed (epsilon: the lower bound of the cost)
};

// As `--list` names it ("strategies"[].reclaim).
constexpr std::string_view reclaim_name(Reclaim r) noexcept {
  switch (r) {
    case Reclaim::kExplicit:
      return "explicit";
    case Reclaim::kRefCount:
      return "refcount";
    case Reclaim::kRegion:
      return "region";
    case Reclaim::kTracing:
      return "tracing";
    case Reclaim::kNever:
      break;
  }
  return "never";
}

namespace detail {
struct ConceptProbe {
  int value = 0;
  ConceptProbe* next = nullptr;
};
}  // namespace detail

template <class S>
concept Strategy = requires(typename S::template Ptr<detail::ConceptProbe> p,
                            typename S::template Weak<detail::ConceptProbe> w) {
  { S::kName } -> std::convertible_to<std::string_view>;
  { S::kReclaim } -> std::convertible_to<Reclaim>;
  typename S::Scope;
  typename S::ThreadScope;
  typename S::template Allocator<int>;
  { S::template make<detail::ConceptProbe>() } -> std::same_as<decltype(p)>;
  { S::release(p) } -> std::same_as<void>;
  { S::raw(p) } -> std::same_as<detail::ConceptProbe*>;
  { S::raw(w) } -> std::same_as<detail::ConceptProbe*>;
  { S::weak(p) } -> std::same_as<decltype(w)>;
};

// Scope and ThreadScope of a strategy that needs neither (a strategy that
// needs one declares its own, which hides this one).
struct NoScopes {
  struct Scope {
    Scope() noexcept {}  // non-trivial: no unused-variable warning where a workload opens one
  };
  struct ThreadScope {
    ThreadScope() noexcept {}  // non-trivial: no unused-variable warning where a workload opens one
  };
};

// Ptr, Weak, raw() and weak() of every strategy whose owning pointer and back
// edge are both a plain T* (all but shared_ptr): such a strategy derives from this.
struct RawPointerHandles {
  template <class T>
  using Ptr = T*;
  template <class T>
  using Weak = T*;
  template <class T>
  static T* raw(T* p) noexcept {
    return p;
  }
  template <class T>
  static T* weak(T* p) noexcept {
    return p;
  }
};

template <class S>
concept RegionStrategy =
    Strategy<S> &&
    S::kReclaim == Reclaim::kRegion&& std::default_initializable<typename S::Region>&& requires(
                       typename S::Region& region, std::size_t n) {
  typename S::Region::template Allocator<char>;
  { region.allocate(n, n) } -> std::same_as<void*>;
  { region.reset() }
  noexcept;
  { region.allocator() } -> std::same_as<typename S::Region::template Allocator<char>>;
};

// What a workload declares beside its Scope for data that dies out of LIFO
// order: S::Region for a region strategy; for the others an empty stand-in,
// never allocated from, so that the same declarations compile behind
// `if constexpr (S::kReclaim == Reclaim::kRegion)`.
struct NoRegion {
  template <class T>
  using Allocator = std::allocator<T>;
};
template <class S>
struct RegionOf {
  static_assert(S::kReclaim != Reclaim::kRegion,
                "a region strategy must supply S::Region (see RegionStrategy)");
  using type = NoRegion;
};
template <RegionStrategy S>
struct RegionOf<S> {
  using type = typename S::Region;
};
template <class S>
using RegionOrNone = typename RegionOf<S>::type;

// Whether release() gives back each object on its own, so that a workload
// walks a structure and releases every object in it (children before their
// parent's memory goes, nothing used once released) rather than dropping its
// root: the explicit strategies, and strategies that declare
// `static constexpr bool kFreesEachObject = true` (boehm-free: GC_FREE where
// the explicit strategies free).
template <class S>
inline constexpr bool kFreesEachObject = S::kReclaim == Reclaim::kExplicit || requires {
  requires S::kFreesEachObject;
};

// Whether a workload must call release() for memory to come back. Region and
// tracing strategies make release() a no-op; this lets a workload skip whole
// teardown walks for them when that is the honest formulation.
template <class S>
inline constexpr bool kNeedsRelease =
    S::kReclaim == Reclaim::kExplicit || S::kReclaim == Reclaim::kRefCount;

// ---- optional hooks ----------------------------------------------------------
// Per process or per pass, never per allocation. Each is listed by name in the
// worker's `--list` ("strategies"[].hooks).

// What the worker hands the process hooks: who serves malloc here (the
// allocator identity check's answer) and the worker's heap options.
struct ProcessOptions {
  std::string malloc_family;
  std::size_t gc_max_heap_bytes = 0;        // --gc-max-heap-bytes (TakesHeapOptions only)
  unsigned long gc_free_space_divisor = 0;  // --gc-free-space-divisor (TakesHeapOptions only)
  bool gc_fixed_heap = false;               // --gc-fixed-heap (TakesHeapOptions only)
};

// "init_process": process-wide set-up before the first allocation (the
// collector's GC_INIT and settings, the pmr default resource).
template <class S>
concept InitsProcess = requires(const ProcessOptions& o) {
  S::init_process(o);
};

// "heap_options": accepts the worker's --gc-* options (others refuse them:
// exit "usage").
template <class S>
concept TakesHeapOptions = requires {
  requires S::kTakesHeapOptions;
};

// "fixed_heap": also accepts --gc-fixed-heap (collect only when the capped heap
// is full); a collector whose collections start on its own trigger (an
// incremental one) refuses it.
template <class S>
concept TakesFixedHeap = TakesHeapOptions<S> && requires {
  requires S::kTakesFixedHeap;
};

// "config": the configuration the strategy runs with, as JSON (the detail's
// "config", `--describe`). Without it, the worker reports the configuration of
// the malloc underneath ({"malloc": ...}).
template <class S>
concept ReportsConfig = requires(const ProcessOptions& o) {
  S::config_json(o);
};

// "pauses": stop-the-world pauses observed around a run: reset before the
// first pass, then a pause histogram and a report (the detail's "gc", which
// holds the histogram) with event times relative to `run_start_ns`.
template <class S>
concept ObservesPauses = requires(std::int64_t run_start_ns) {
  S::reset_pauses();
  { S::pauses() } -> std::convertible_to<const Histogram&>;
  S::pause_report(run_start_ns);
};

// "gc_version": the collector library's version ("gc_version" in the listing,
// mmbench_gc_version in Google Benchmark's context).
template <class S>
concept ReportsGcVersion = requires {
  { S::gc_version() } -> std::convertible_to<std::string>;
};

// "end_pass": a strategy that gives nothing back during a process by design
// (epsilon) defines `static void end_pass()`, which the worker calls between
// two passes of a workload (threads joined, outside the timed region; never
// after the last pass) to give back everything at once. Each pass then starts
// from an empty heap, as in a fresh process, and the peak RSS is one pass's,
// not the sum over the passes of the steady state.
template <class S>
concept EndsPasses = requires {
  S::end_pass();
};

// "release_memory": the strategy's own call that gives free memory back to the
// system, made once in the drain phase; returns its name, or nullptr where it
// has none. Without it, the malloc underneath's call (malloc_config.hpp).
template <class S>
concept ReleasesMemory = requires {
  { S::release_memory() } -> std::convertible_to<const char*>;
};

// "single_threaded": the strategy refuses (exit "unsupported") a workload
// that runs threads of its own; the listing declares each such refusal.
template <class S>
concept SingleThreaded = requires {
  requires S::kSingleThreaded;
};

}  // namespace mmbench
