// epsilon: allocation that never frees or reuses anything, the role of
// OpenJDK's Epsilon GC (JEP 318) and of allocbench's `bumpptr` allocator. It
// is the fastest any strategy could be if memory were free: a pointer bump,
// release() and Scope are no-ops and nothing is ever given back until the
// process exits. Its peak RSS is the price; it is a candidate for the minimum
// distilled cost of the lower-bound overhead (benchmarks/mmbench/lbo.py).
//
// Memory: chunks of kChunkBytes mmap'd straight from the kernel (not from
// malloc, so the bump path owes nothing to the process's allocator); an
// object bigger than a quarter chunk gets a mapping of its own. Every mapping
// counts against a cap; past it, allocation throws std::bad_alloc, which the
// worker reports as exit code 4 (status `oom`). The cap is
// MMBENCH_EPSILON_CAP_BYTES when set (a positive byte count), else half of
// physical memory (sysconf: _SC_PHYS_PAGES x _SC_PAGE_SIZE), so that a
// workload that allocates more than the machine can hold ends honestly as
// `oom` rather than in swap or the OOM killer.
//
// Threads: each thread bumps in its own chunk (thread_local cursor), and
// chunks are counted with one atomic, so it is thread-safe without a lock on
// the fast path; objects made by one thread and dropped by another need
// nothing, since nothing is freed. Unlike the pmr strategies it therefore runs
// producer_consumer too. A thread's unused chunk tail is abandoned at exit.
//
// Passes: within a pass of a workload nothing is given back. At the end of a
// pass the worker calls Epsilon::end_pass() (strategy.hpp, EndsPasses), which
// unmaps every mapping: the next pass maps and first-touches fresh memory, as
// a fresh process would, and the peak RSS stays one pass's. Each mapping
// starts with a small header that links it into a list for that purpose.
//
// Destructors never run (as in the arena): objects must own nothing outside
// it, which holds when their containers use Allocator.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <nlohmann/json.hpp>
#include <string_view>
#include <utility>

#include "allocators/strategy.hpp"

namespace mmbench {

class EpsilonHeap {
 public:
  static constexpr std::size_t kChunkBytes = std::size_t{4} << 20;
  static constexpr char kCapEnv[] = "MMBENCH_EPSILON_CAP_BYTES";
  static constexpr std::size_t kDefaultCapDivisor = 2;  // default cap: physical memory / 2

  static void* allocate(std::size_t bytes, std::size_t align = alignof(std::max_align_t)) {
    Local& l = local();
    const auto p = (l.cursor + (align - 1)) & ~(align - 1);
    if (l.cursor != 0 && p + bytes <= l.limit) {
      l.cursor = p + bytes;
      return reinterpret_cast<void*>(p);
    }
    return allocate_slow(bytes, align);
  }

  // Unmaps every mapping (all threads'): only when no other thread allocates
  // or uses epsilon memory any more, i.e. between passes. This thread's
  // cursor starts afresh; other threads' cursors must be gone (threads ended).
  static void release_all() noexcept {
    Mapping* m = mappings().exchange(nullptr, std::memory_order_acq_rel);
    while (m != nullptr) {
      Mapping* next = m->next;
      const std::size_t bytes = m->bytes;
      munmap(m, bytes);
      mapped().fetch_sub(bytes, std::memory_order_relaxed);
      m = next;
    }
    local() = Local{};
  }

  // Bytes mapped so far (all threads), counted against cap_bytes().
  static std::size_t mapped_bytes() noexcept { return mapped().load(std::memory_order_relaxed); }

  static std::size_t cap_bytes() noexcept { return cap().bytes; }
  // "env" when MMBENCH_EPSILON_CAP_BYTES set it, else "half of physical memory".
  static const char* cap_source() noexcept { return cap().from_env ? "env" : "physical/2"; }

 private:
  struct Local {
    std::uintptr_t cursor = 0;
    std::uintptr_t limit = 0;
  };
  struct Cap {
    std::size_t bytes;
    bool from_env;
  };
  // At the start of every mapping: the list release_all() walks.
  struct alignas(64) Mapping {
    Mapping* next;
    std::size_t bytes;
  };
  static std::atomic<Mapping*>& mappings() noexcept {
    static std::atomic<Mapping*> head{nullptr};
    return head;
  }

  static Local& local() noexcept {
    thread_local Local l;
    return l;
  }
  static std::atomic<std::size_t>& mapped() noexcept {
    static std::atomic<std::size_t> m{0};
    return m;
  }
  static const Cap& cap() noexcept {
    static const Cap c = [] {
      if (const char* s = std::getenv(kCapEnv); s != nullptr && *s != '\0') {
        char* end = nullptr;
        const unsigned long long v = std::strtoull(s, &end, 10);
        if (end != nullptr && *end == '\0' && v > 0) return Cap{static_cast<std::size_t>(v), true};
      }
      const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
      const std::size_t phys =
          pages > 0 && page > 0 ? static_cast<std::size_t>(pages) * static_cast<std::size_t>(page)
                                : std::size_t{1} << 32;
      return Cap{phys / kDefaultCapDivisor, false};
    }();
    return c;
  }

  static void* map(std::size_t bytes) {
    const std::size_t before = mapped().fetch_add(bytes, std::memory_order_relaxed);
    if (before + bytes > cap_bytes()) {
      mapped().fetch_sub(bytes, std::memory_order_relaxed);
      throw std::bad_alloc();
    }
    void* m = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) {
      mapped().fetch_sub(bytes, std::memory_order_relaxed);
      throw std::bad_alloc();
    }
    auto* header = ::new (m) Mapping{mappings().load(std::memory_order_relaxed), bytes};
    while (!mappings().compare_exchange_weak(header->next, header, std::memory_order_release,
                                             std::memory_order_relaxed)) {
    }
    return header + 1;  // usable memory starts after the header
  }

  static void* allocate_slow(std::size_t bytes, std::size_t align) {
    const std::size_t need = bytes + align;
    if (need > kChunkBytes / 4) {
      // A mapping of its own; keep bumping in the current chunk afterwards.
      const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGE_SIZE));
      const std::size_t size = (need + sizeof(Mapping) + page - 1) / page * page;
      const auto base = reinterpret_cast<std::uintptr_t>(map(size));
      return reinterpret_cast<void*>((base + (align - 1)) & ~(align - 1));
    }
    Local& l = local();
    l.cursor = reinterpret_cast<std::uintptr_t>(map(kChunkBytes));
    l.limit = l.cursor + kChunkBytes - sizeof(Mapping);
    return allocate(bytes, align);
  }
};

template <class T>
struct EpsilonAllocator {
  using value_type = T;
  EpsilonAllocator() noexcept = default;
  template <class U>
  EpsilonAllocator(const EpsilonAllocator<U>&) noexcept {}
  T* allocate(std::size_t n) {
    if (n > static_cast<std::size_t>(-1) / sizeof(T)) throw std::bad_alloc();
    return static_cast<T*>(EpsilonHeap::allocate(n * sizeof(T), alignof(T)));
  }
  void deallocate(T*, std::size_t) noexcept {}  // never reused
  template <class U>
  bool operator==(const EpsilonAllocator<U>&) const noexcept {
    return true;
  }
};

struct Epsilon : RawPointerHandles, NoScopes {
  static constexpr std::string_view kName = "epsilon";
  static constexpr Reclaim kReclaim = Reclaim::kNever;

  template <class T>
  using Allocator = EpsilonAllocator<T>;

  template <class T, class... A>
  static T* make(A&&... args) {
    return ::new (EpsilonHeap::allocate(sizeof(T), alignof(T))) T(std::forward<A>(args)...);
  }
  template <class T>
  static void release(T*& p) noexcept {
    p = nullptr;  // never freed, never reused
  }
  // Between passes only (see the file comment): everything goes back at once.
  static void end_pass() noexcept { EpsilonHeap::release_all(); }
  // The drain phase: nothing to give back before the process ends.
  static const char* release_memory() noexcept { return nullptr; }
  // Its own heap, not malloc's: the cap and what is mapped.
  static nlohmann::json config_json(const ProcessOptions&) {
    return {{"cap_bytes", EpsilonHeap::cap_bytes()},
            {"cap_source", EpsilonHeap::cap_source()},
            {"cap_env", EpsilonHeap::kCapEnv},
            {"chunk_bytes", EpsilonHeap::kChunkBytes},
            {"mapped_bytes", EpsilonHeap::mapped_bytes()}};
  }
};

}  // namespace mmbench
