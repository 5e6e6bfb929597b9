// Bump-pointer regions. Allocation is an inline pointer bump; a Scope records
// the bump position and rewinds to it at scope end, freeing everything
// allocated inside at once, without visiting a single object (no destructors
// run: objects placed in an arena must own nothing outside it, which holds
// when their containers use Arena::Allocator).
//
// One arena per thread (thread_local), so there is no lock. Chunks come from
// the process's malloc; rewound chunks are kept on a per-thread free list for
// reuse (as real region allocators do) and returned to malloc when the thread
// exits, so a leak checker finds nothing. Memory released inside a scope is
// not reusable until the scope ends: a workload whose objects die one by one
// must give the arena a region per phase or per batch, and say so.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <utility>

#include "allocators/strategy.hpp"

namespace mmbench {

struct Chunk;

class ArenaHeap {
 public:
  static constexpr std::size_t kChunkBytes = std::size_t{1} << 20;

  struct Mark {
    Chunk* chunk;
    char* cursor;
  };

  ArenaHeap() = default;
  ArenaHeap(const ArenaHeap&) = delete;
  ArenaHeap& operator=(const ArenaHeap&) = delete;
  ~ArenaHeap();

  // Fast path: bump within the current chunk.
  void* allocate(std::size_t bytes, std::size_t align = alignof(std::max_align_t)) {
    auto p = (reinterpret_cast<std::uintptr_t>(cursor_) + (align - 1)) & ~(align - 1);
    if (p + bytes <= reinterpret_cast<std::uintptr_t>(limit_) && cursor_ != nullptr) {
      cursor_ = reinterpret_cast<char*>(p + bytes);
      return reinterpret_cast<void*>(p);
    }
    return allocate_slow(bytes, align);
  }

  Mark mark() const noexcept { return {current_, cursor_}; }
  void rewind(Mark m) noexcept;

  // Bytes of chunk memory held (in use or on the free list).
  std::size_t reserved_bytes() const noexcept { return reserved_; }

  static ArenaHeap& local() noexcept {
    thread_local ArenaHeap heap;
    return heap;
  }

 private:
  void* allocate_slow(std::size_t bytes, std::size_t align);

  Chunk* current_ = nullptr;  // newest chunk in use; chain via Chunk::prev
  Chunk* spare_ = nullptr;    // rewound standard-size chunks for reuse
  char* cursor_ = nullptr;
  char* limit_ = nullptr;
  std::size_t reserved_ = 0;
};

struct Chunk {
  Chunk* prev;
  std::size_t size;  // usable bytes after the header
  char* data() noexcept { return reinterpret_cast<char*>(this + 1); }
};

inline ArenaHeap::~ArenaHeap() {
  rewind({nullptr, nullptr});
  while (spare_ != nullptr) {
    Chunk* next = spare_->prev;
    std::free(spare_);
    spare_ = next;
  }
}

inline void ArenaHeap::rewind(Mark m) noexcept {
  while (current_ != m.chunk) {
    Chunk* c = current_;
    current_ = c->prev;
    if (c->size == kChunkBytes) {  // keep standard chunks for reuse
      c->prev = spare_;
      spare_ = c;
    } else {  // oversized chunks go straight back
      reserved_ -= c->size + sizeof(Chunk);
      std::free(c);
    }
  }
  cursor_ = m.cursor;
  limit_ = current_ != nullptr ? current_->data() + current_->size : nullptr;
}

inline void* ArenaHeap::allocate_slow(std::size_t bytes, std::size_t align) {
  std::size_t need = bytes + align;
  Chunk* c;
  if (need > kChunkBytes / 4) {
    // A big object gets a chunk of its own, so it does not waste a standard one.
    c = static_cast<Chunk*>(std::malloc(sizeof(Chunk) + need));
    if (c == nullptr) throw std::bad_alloc();
    c->size = need;
    reserved_ += sizeof(Chunk) + need;
    // It becomes current (linked below the current chunk it would break the
    // rewind order): the rest of the previous chunk is abandoned until the
    // rewind (bounded waste), and what follows goes to a fresh standard chunk.
  } else if (spare_ != nullptr) {
    c = spare_;
    spare_ = c->prev;
  } else {
    c = static_cast<Chunk*>(std::malloc(sizeof(Chunk) + kChunkBytes));
    if (c == nullptr) throw std::bad_alloc();
    c->size = kChunkBytes;
    reserved_ += sizeof(Chunk) + kChunkBytes;
  }
  c->prev = current_;
  current_ = c;
  cursor_ = c->data();
  limit_ = c->data() + c->size;
  return allocate(bytes, align);
}

template <class T>
struct ArenaAllocator {
  using value_type = T;
  ArenaAllocator() noexcept = default;
  template <class U>
  ArenaAllocator(const ArenaAllocator<U>&) noexcept {}
  T* allocate(std::size_t n) {
    return static_cast<T*>(ArenaHeap::local().allocate(n * sizeof(T), alignof(T)));
  }
  void deallocate(T*, std::size_t) noexcept {}  // reclaimed with the region
  template <class U>
  bool operator==(const ArenaAllocator<U>&) const noexcept {
    return true;
  }
};

// Allocates from one given ArenaHeap (Arena::Region's), not the thread's.
template <class T>
struct ArenaHeapAllocator {
  using value_type = T;
  ArenaHeap* heap;
  explicit ArenaHeapAllocator(ArenaHeap* h) noexcept : heap(h) {}
  template <class U>
  ArenaHeapAllocator(const ArenaHeapAllocator<U>& o) noexcept : heap(o.heap) {}
  T* allocate(std::size_t n) { return static_cast<T*>(heap->allocate(n * sizeof(T), alignof(T))); }
  void deallocate(T*, std::size_t) noexcept {}  // reclaimed when the region is reset
  template <class U>
  bool operator==(const ArenaHeapAllocator<U>& o) const noexcept {
    return heap == o.heap;
  }
};

struct Arena : RawPointerHandles, NoScopes {
  static constexpr std::string_view kName = "arena";
  static constexpr Reclaim kReclaim = Reclaim::kRegion;

  template <class T>
  using Allocator = ArenaAllocator<T>;

  class Scope {
   public:
    Scope() noexcept : mark_(ArenaHeap::local().mark()) {}
    ~Scope() { ArenaHeap::local().rewind(mark_); }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    ArenaHeap::Mark mark_;
  };

  // A region outside the Scope stack: an ArenaHeap of its own (see RegionStrategy).
  class Region {
   public:
    template <class T>
    using Allocator = ArenaHeapAllocator<T>;
    void* allocate(std::size_t bytes, std::size_t align) { return heap_.allocate(bytes, align); }
    void reset() noexcept { heap_.rewind({nullptr, nullptr}); }
    Allocator<char> allocator() noexcept { return Allocator<char>(&heap_); }

   private:
    ArenaHeap heap_;
  };

  template <class T, class... A>
  static T* make(A&&... args) {
    return ::new (ArenaHeap::local().allocate(sizeof(T), alignof(T))) T(std::forward<A>(args)...);
  }
  template <class T>
  static void release(T*& p) noexcept {
    p = nullptr;  // the region reclaims it
  }
};

static_assert(RegionStrategy<Arena>);

}  // namespace mmbench
