// Explicit management with whatever serves malloc/free in this process:
// glibc in the plain worker, mimalloc or jemalloc in the workers linked against
// them (they replace malloc process-wide). The name comes from the build so
// that one source serves all three families; the worker verifies at start-up
// that the named allocator really is the one answering malloc.
#pragma once

#include <cstdlib>
#include <memory>
#include <new>
#include <utility>

#include "allocators/malloc_config.hpp"
#include "allocators/strategy.hpp"

#ifndef MMBENCH_MALLOC_FAMILY
#define MMBENCH_MALLOC_FAMILY "glibc"
#endif

namespace mmbench {

struct Malloc : RawPointerHandles, NoScopes {
  static constexpr std::string_view kName = MMBENCH_MALLOC_FAMILY;
  static constexpr Reclaim kReclaim = Reclaim::kExplicit;

  template <class T>
  using Allocator = std::allocator<T>;  // operator new -> the process's malloc

  template <class T, class... A>
  static T* make(A&&... args) {
    void* mem = std::malloc(sizeof(T));
    if (mem == nullptr) throw std::bad_alloc();
    return ::new (mem) T(std::forward<A>(args)...);
  }
  template <class T>
  static void release(T*& p) noexcept {
    if (p == nullptr) return;
    p->~T();
    std::free(p);
    p = nullptr;
  }

  // The allocator's own settings (GLIBC_TUNABLES, mi_option, jemalloc opt.*).
  static nlohmann::json config_json(const ProcessOptions& o) {
    return malloc_config(o.malloc_family);
  }
};

}  // namespace mmbench
