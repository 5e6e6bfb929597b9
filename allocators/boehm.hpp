// The Boehm–Demers–Weiser conservative tracing collector (Debian libgc 8.2).
// make() is GC_MALLOC (GC_MALLOC_ATOMIC for types that declare
// `static constexpr bool kPointerFree = true`); release() is a no-op: the
// collector owns reclamation. Containers use gc_allocator so that pointers
// held in them are scanned (the collector does not scan malloc'ed memory).
// Objects are never finalized, so they must own nothing outside the GC heap.
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

#include <cstdint>
#include <new>
#include <type_traits>
#include <utility>

#include "allocators/strategy.hpp"
#include "benchmarks/histogram.hpp"

namespace mmbench {

// Process-wide collector state and configuration. Configuration is read from
// the environment once, before GC_INIT, so that every run can be reproduced
// from its manifest (GC_* variables are also read by libgc itself).
class BoehmRuntime {
 public:
  struct PauseEvent {
    std::int64_t start_ns;  // CLOCK_MONOTONIC
    std::int64_t duration_ns;
  };
  static constexpr std::size_t kMaxPauseEvents = 1 << 16;

  // Idempotent; call from the main thread before the first allocation.
  static void init();
  // Forget pauses seen so far (GC_INIT itself runs a collection).
  static void reset_pauses() noexcept;

  static const Histogram& pauses() noexcept { return *pauses_; }
  static const PauseEvent* events() noexcept { return events_; }
  static std::size_t event_count() noexcept {
    return event_count_ < kMaxPauseEvents ? event_count_ : kMaxPauseEvents;
  }
  static bool initialized() noexcept { return pauses_ != nullptr; }

 private:
  static void on_event(GC_EventType type) noexcept;
  static inline Histogram* pauses_ = nullptr;
  static inline PauseEvent* events_ = nullptr;
  static inline std::size_t event_count_ = 0;
  static inline std::int64_t stop_started_ns_ = 0;
};

// kFreeExplicitly: the hybrid variant that also calls GC_FREE where the manual
// strategies free.
template <bool kFreeExplicitly>
struct BoehmStrategy {
  static constexpr std::string_view kName = kFreeExplicitly ? "boehm-free" : "boehm";
  static constexpr Reclaim kReclaim = Reclaim::kTracing;

  template <class T>
  using Ptr = T*;
  template <class T>
  using Weak = T*;
  template <class T>
  using Allocator = gc_allocator<T>;

  struct Scope {
    Scope() noexcept {}  // non-trivial: no unused-variable warning where a workload opens one
  };

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
    if (mem == nullptr) throw std::bad_alloc();
    return ::new (mem) T(std::forward<A>(args)...);
  }
  template <class T>
  static void release(T*& p) noexcept {
    if constexpr (kFreeExplicitly) {
      if (p != nullptr) GC_FREE(p);
    }
    p = nullptr;
  }
  template <class T>
  static T* raw(T* p) noexcept {
    return p;
  }
  template <class T>
  static T* weak(T* p) noexcept {
    return p;
  }
};

using Boehm = BoehmStrategy<false>;
using BoehmFree = BoehmStrategy<true>;

}  // namespace mmbench
