// The Boehm–Demers–Weiser conservative tracing collector (Debian libgc 8.2).
// make() is GC_MALLOC (GC_MALLOC_ATOMIC for types that declare
// `static constexpr bool kPointerFree = true`); release() is a no-op: the
// collector owns reclamation (boehm-free: see below). Containers use gc_allocator so that pointers
// held in them are scanned (the collector does not scan malloc'ed memory).
// Objects are never finalized, so they must own nothing outside the GC heap.
//
// Variants differ only in how the collector is configured, so one template
// carries a compile-time BoehmConfig that BoehmRuntime::init applies before
// the first allocation:
//   boehm              plain stop-the-world mark-sweep, one marker thread
//                      (unless GC_MARKERS is set in the environment)
//   boehm-free         also GC_FREE where the manual strategies free (hybrid):
//                      kFreesEachObject, so workloads walk and release object
//                      by object as for malloc, and release() runs the
//                      destructor first, so a container's buffer goes back
//                      through gc_allocator (GC_FREE) exactly where malloc's
//                      destructors would free it
//   boehm-incremental  GC_enable_incremental; MMBENCH_GC_PAUSE_TARGET_MS ->
//                      GC_set_time_limit. Incremental marking runs inside
//                      allocation calls, outside the stop-world events, so only
//                      the per-unit latency shows its whole cost; and
//                      GC_EVENT_START/END do not fire for its collections.
//   boehm-markers      parallel marking with MMBENCH_GC_MARKERS (default 2)
//                      marker threads (GC_set_markers_count before GC_INIT,
//                      then GC_start_mark_threads: libgc starts them lazily)
// Run-time settings shared by all variants (worker options): a heap cap
// (GC_set_max_heap_size, counting the collector's whole heap; GC_MALLOC then
// returns NULL and make() throws std::bad_alloc), the free-space divisor, and
// a fixed heap: libgc collects once it has allocated (live + roots) / divisor
// bytes, so a cap never makes its heap grow; --gc-fixed-heap makes it fill the
// cap before collecting, as a JVM's -Xms = -Xmx heap does (a sweep's points).
//
// Stop-the-world pauses are taken from the collector's own events
// (PRE_STOP_WORLD -> POST_START_WORLD) into a preallocated histogram; the
// callback only reads the clock and writes preallocated memory, because a
// stopped thread may hold the malloc or stdio lock.
#pragma once

#ifndef GC_THREADS
#define GC_THREADS
#endif
#include <gc/gc.h>
#include <gc/gc_allocator.h>

#include <cstddef>
#include <cstdint>
#include <new>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "allocators/strategy.hpp"
#include "base/histogram.hpp"

namespace mmbench {

enum class BoehmMode : unsigned char { kPlain, kIncremental, kParallelMark };

// Compile-time identity of a Boehm variant (a structural type: usable as a
// template argument).
struct BoehmConfig {
  BoehmMode mode = BoehmMode::kPlain;
  bool free_explicitly = false;  // GC_FREE where manual strategies free
};

// Run-time settings (worker options and environment); zero means "libgc's own default".
struct BoehmSettings {
  std::size_t max_heap_bytes = 0;        // GC_set_max_heap_size; 0 = unlimited
  unsigned long free_space_divisor = 0;  // GC_set_free_space_divisor; libgc default 3
  bool fixed_heap = false;               // collect only when the capped heap is full
  unsigned long pause_target_ms = 0;     // incremental only: GC_set_time_limit
  unsigned markers = 0;                  // parallel-mark only: marker threads

  // Reads MMBENCH_GC_PAUSE_TARGET_MS and MMBENCH_GC_MARKERS (default 2) for
  // the variants that use them.
  static BoehmSettings from_environment(BoehmConfig config);
  // The environment's, then the worker's heap options.
  static BoehmSettings from(BoehmConfig config, const ProcessOptions& options);
};

// Process-wide collector state and configuration. Configuration is applied
// once, before GC_INIT, so that every run can be reproduced from its
// manifest (GC_* variables are also read by libgc itself).
class BoehmRuntime {
 public:
  struct PauseEvent {
    std::int64_t start_ns;  // CLOCK_MONOTONIC
    std::int64_t duration_ns;
  };
  static constexpr std::size_t kMaxPauseEvents = 1 << 16;

  // Idempotent; call from the main thread before the first allocation.
  // Without arguments: the plain collector with libgc's defaults.
  static void init();
  static void init(BoehmConfig config, const BoehmSettings& settings);
  // Forget pauses seen so far (GC_INIT itself runs a collection).
  static void reset_pauses() noexcept;

  static const Histogram& pauses() noexcept { return *pauses_; }
  static const PauseEvent* events() noexcept { return events_; }
  static std::size_t event_count() noexcept {
    return event_count_ < kMaxPauseEvents ? event_count_ : kMaxPauseEvents;
  }
  static bool initialized() noexcept { return pauses_ != nullptr; }
  // What init() applied (settings as given, zeros replaced by libgc's values).
  static BoehmConfig config() noexcept { return config_; }
  static const BoehmSettings& settings() noexcept { return settings_; }

  // The worker's hooks (see BoehmStrategy).
  // The collector's settings for `config`; after init, the values it applied.
  static nlohmann::json config_json(BoehmConfig config, const ProcessOptions& options);
  // Collections, heap, markers and each pause event (start relative to run_start_ns).
  static nlohmann::json report(std::int64_t run_start_ns);
  static std::string version();  // "8.2.2"

 private:
  static void on_event(GC_EventType type) noexcept;
  static inline Histogram* pauses_ = nullptr;
  static inline PauseEvent* events_ = nullptr;
  static inline std::size_t event_count_ = 0;
  static inline std::int64_t stop_started_ns_ = 0;
  static inline BoehmConfig config_{};
  static inline BoehmSettings settings_{};
};

constexpr std::string_view boehm_name(BoehmConfig c) noexcept {
  if (c.free_explicitly) return "boehm-free";
  switch (c.mode) {
    case BoehmMode::kIncremental:
      return "boehm-incremental";
    case BoehmMode::kParallelMark:
      return "boehm-markers";
    case BoehmMode::kPlain:
      break;
  }
  return "boehm";
}

template <BoehmConfig kConfig>
struct BoehmStrategy : RawPointerHandles, NoScopes {
  static constexpr std::string_view kName = boehm_name(kConfig);
  static constexpr Reclaim kReclaim = Reclaim::kTracing;
  static constexpr BoehmConfig kGcConfig = kConfig;  // applied by BoehmRuntime::init
  static constexpr bool kFreesEachObject = kConfig.free_explicitly;
  static constexpr bool kTakesHeapOptions = true;  // the worker's --gc-* options
  // Incremental collection runs on libgc's own trigger; a fixed heap would
  // make it one stop-the-world collection at the cap.
  static constexpr bool kTakesFixedHeap = kConfig.mode != BoehmMode::kIncremental;

  // Hooks (strategy.hpp): all variants share the one process-wide collector.
  static void init_process(const ProcessOptions& o) {
    BoehmRuntime::init(kConfig, BoehmSettings::from(kConfig, o));
  }
  static nlohmann::json config_json(const ProcessOptions& o) {
    return BoehmRuntime::config_json(kConfig, o);
  }
  static void reset_pauses() noexcept { BoehmRuntime::reset_pauses(); }
  static const Histogram& pauses() noexcept { return BoehmRuntime::pauses(); }
  static nlohmann::json pause_report(std::int64_t run_start_ns) {
    return BoehmRuntime::report(run_start_ns);
  }
  static std::string gc_version() { return BoehmRuntime::version(); }
  static const char* release_memory() {
    GC_gcollect_and_unmap();  // a full collection, then unmap free blocks where libgc can
    return "GC_gcollect_and_unmap";
  }

  template <class T>
  using Allocator = gc_allocator<T>;

  // Registers a std::thread with the collector for its lifetime (the main
  // thread is registered by GC_INIT).
  class ThreadScope {
   public:
    ThreadScope() {
      if (GC_thread_is_registered()) return;
      GC_stack_base sb;
      GC_get_stack_base(&sb);
      registered_ = GC_register_my_thread(&sb) == GC_SUCCESS;
    }
    ~ThreadScope() {
      if (registered_) GC_unregister_my_thread();
    }
    ThreadScope(const ThreadScope&) = delete;
    ThreadScope& operator=(const ThreadScope&) = delete;

   private:
    bool registered_ = false;
  };

  template <class T, class... A>
  static T* make(A&&... args) {
    void* mem;
    if constexpr (requires { T::kPointerFree; }) {
      mem = T::kPointerFree ? GC_MALLOC_ATOMIC(sizeof(T)) : GC_MALLOC(sizeof(T));
    } else {
      mem = GC_MALLOC(sizeof(T));
    }
    if (mem == nullptr) throw std::bad_alloc();  // heap cap reached (or no memory left)
    return ::new (mem) T(std::forward<A>(args)...);
  }
  template <class T>
  static void release(T*& p) noexcept {
    if constexpr (kConfig.free_explicitly) {
      if (p != nullptr) {
        p->~T();
        GC_FREE(p);
      }
    }
    p = nullptr;
  }
};

using Boehm = BoehmStrategy<BoehmConfig{}>;
using BoehmFree = BoehmStrategy<BoehmConfig{.free_explicitly = true}>;
using BoehmIncremental = BoehmStrategy<BoehmConfig{.mode = BoehmMode::kIncremental}>;
using BoehmMarkers = BoehmStrategy<BoehmConfig{.mode = BoehmMode::kParallelMark}>;

}  // namespace mmbench
