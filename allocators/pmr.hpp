// std::pmr memory resources as strategies (libstdc++'s implementations):
//   pmr-pool       std::pmr::unsynchronized_pool_resource over
//                  new_delete_resource; make() allocates from the pool,
//                  release() destroys and deallocates back to it (explicit
//                  reclamation, like malloc/free but size-aware).
//   pmr-monotonic  std::pmr::monotonic_buffer_resource: deallocate is a
//                  no-op and memory only comes back on release(). Each Scope
//                  pushes a fresh monotonic resource (upstream:
//                  new_delete_resource) and destroys it at scope end, which
//                  returns every buffer at once: the arena's region, built
//                  from standard parts. Objects made outside any Scope go to
//                  a base resource that lives as long as the process.
//
// Containers: Allocator<T> is std::pmr::polymorphic_allocator<T>, whose
// default constructor takes std::pmr::get_default_resource(). That default is
// process-wide, so the strategy sets it to its own resource at start-up
// (init_process) and, for pmr-monotonic, to the innermost Scope's resource.
// A container takes its resource when constructed, so a container built
// inside a Scope must not outlive it (the arena has the same rule).
//
// Threads: both resources are single-threaded by design (that is their
// point: no locks), and the default resource is one global. Rather than
// measure a data race, a workload that registers a second thread (ThreadScope)
// under a pmr strategy ends the worker with exit code 6 (unsupported) and a
// message saying why. synchronized_pool_resource would be the thread-safe
// choice; it is not offered as a strategy here.
//
// Objects are not destroyed when a region goes away (as in the arena): they
// must own nothing outside it, which holds when their containers use Allocator.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <memory_resource>
#include <new>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "allocators/strategy.hpp"
#include "base/exit_codes.hpp"

namespace mmbench {

namespace pmr_detail {

// The thread that initialised the resources; only it may use them.
inline std::thread::id& owner_thread() {
  static std::thread::id id;
  return id;
}

[[noreturn]] inline void refuse_second_thread(const char* strategy) {
  // Called on a fresh thread before it allocates: write(2) only, then leave.
  char msg[256];
  const int n = std::snprintf(msg, sizeof msg,
                              "mmbench-worker: %s is single-threaded (one process-wide "
                              "std::pmr resource, no locks); this workload runs a second "
                              "thread: unsupported\n",
                              strategy);
  if (n > 0) [[maybe_unused]]
    auto ignored = ::write(2, msg, static_cast<std::size_t>(n));
  std::_Exit(kExitUnsupported);
}

template <const char* kStrategyName>
struct SingleThreadScope {
  SingleThreadScope() {
    if (std::this_thread::get_id() != owner_thread()) refuse_second_thread(kStrategyName);
  }
  SingleThreadScope(const SingleThreadScope&) = delete;
  SingleThreadScope& operator=(const SingleThreadScope&) = delete;
};

inline constexpr char kPoolName[] = "pmr-pool";
inline constexpr char kMonotonicName[] = "pmr-monotonic";

template <class T>
inline T* construct_in(std::pmr::memory_resource& r, auto&&... args) {
  void* mem = r.allocate(sizeof(T), alignof(T));  // throws std::bad_alloc
  return ::new (mem) T(std::forward<decltype(args)>(args)...);
}

}  // namespace pmr_detail

struct PmrPool : RawPointerHandles, NoScopes {
  static constexpr std::string_view kName = pmr_detail::kPoolName;
  static constexpr Reclaim kReclaim = Reclaim::kExplicit;

  template <class T>
  using Allocator = std::pmr::polymorphic_allocator<T>;

  using ThreadScope = pmr_detail::SingleThreadScope<pmr_detail::kPoolName>;
  static constexpr bool kSingleThreaded = true;  // refuses threaded workloads

  // Lives for the process: returning the pool at exit would only add time.
  static std::pmr::unsynchronized_pool_resource& pool() {
    static auto* p = new std::pmr::unsynchronized_pool_resource(std::pmr::new_delete_resource());
    return *p;
  }
  static void init_process(const ProcessOptions& = {}) {
    pmr_detail::owner_thread() = std::this_thread::get_id();
    std::pmr::set_default_resource(&pool());
  }

  template <class T, class... A>
  static T* make(A&&... args) {
    return pmr_detail::construct_in<T>(pool(), std::forward<A>(args)...);
  }
  template <class T>
  static void release(T*& p) noexcept {
    if (p == nullptr) return;
    p->~T();
    pool().deallocate(p, sizeof(T), alignof(T));
    p = nullptr;
  }
};

struct PmrMonotonic : RawPointerHandles {
  static constexpr std::string_view kName = pmr_detail::kMonotonicName;
  static constexpr Reclaim kReclaim = Reclaim::kRegion;

  template <class T>
  using Allocator = std::pmr::polymorphic_allocator<T>;

  // The innermost open region (the base resource outside any Scope).
  static std::pmr::memory_resource*& current() {
    static std::pmr::memory_resource* r = base();
    return r;
  }
  // Outside any Scope; lives for the process.
  static std::pmr::monotonic_buffer_resource* base() {
    static auto* b = new std::pmr::monotonic_buffer_resource(std::pmr::new_delete_resource());
    return b;
  }
  static void init_process(const ProcessOptions& = {}) {
    pmr_detail::owner_thread() = std::this_thread::get_id();
    current() = base();
    std::pmr::set_default_resource(base());
  }

  // A region: a fresh monotonic resource, destroyed (all its buffers given
  // back upstream) at scope end.
  class Scope {
   public:
    Scope() : outer_(current()) {
      current() = &region_;
      std::pmr::set_default_resource(&region_);
    }
    ~Scope() {
      current() = outer_;
      std::pmr::set_default_resource(outer_);
    }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    std::pmr::memory_resource* outer_;
    std::pmr::monotonic_buffer_resource region_{std::pmr::new_delete_resource()};
  };
  using ThreadScope = pmr_detail::SingleThreadScope<pmr_detail::kMonotonicName>;
  static constexpr bool kSingleThreaded = true;  // refuses threaded workloads

  // A region outside the Scope stack: a monotonic resource of its own, whose
  // reset() gives every buffer back upstream (see RegionStrategy).
  class Region {
   public:
    template <class T>
    using Allocator = std::pmr::polymorphic_allocator<T>;
    void* allocate(std::size_t bytes, std::size_t align) {
      return resource_.allocate(bytes, align);
    }
    void reset() noexcept { resource_.release(); }
    Allocator<char> allocator() noexcept { return Allocator<char>(&resource_); }

   private:
    std::pmr::monotonic_buffer_resource resource_{std::pmr::new_delete_resource()};
  };

  template <class T, class... A>
  static T* make(A&&... args) {
    return pmr_detail::construct_in<T>(*current(), std::forward<A>(args)...);
  }
  template <class T>
  static void release(T*& p) noexcept {
    p = nullptr;  // the region reclaims it
  }
};

static_assert(RegionStrategy<PmrMonotonic>);

}  // namespace mmbench
