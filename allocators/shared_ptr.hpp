// Reference counting with std::shared_ptr on top of the process's malloc.
// Owners hold shared_ptr; back edges must be weak_ptr or a cycle leaks.
// Dropping the last reference frees a whole structure at once (the "refcount
// cascade"); workloads destroy long chains iteratively so that cascade cannot
// overflow the stack.
#pragma once

#include <memory>
#include <utility>

#include "allocators/strategy.hpp"

namespace mmbench {

struct SharedPtr : NoScopes {
  static constexpr std::string_view kName = "shared_ptr";
  static constexpr Reclaim kReclaim = Reclaim::kRefCount;

  template <class T>
  using Ptr = std::shared_ptr<T>;
  template <class T>
  using Weak = std::weak_ptr<T>;
  template <class T>
  using Allocator = std::allocator<T>;

  template <class T, class... A>
  static std::shared_ptr<T> make(A&&... args) {
    return std::make_shared<T>(std::forward<A>(args)...);
  }
  template <class T>
  static void release(std::shared_ptr<T>& p) noexcept {
    p.reset();
  }
  template <class T>
  static T* raw(const std::shared_ptr<T>& p) noexcept {
    return p.get();
  }
  // The object is kept alive by its owners; lock() is the real cost of a weak edge.
  template <class T>
  static T* raw(const std::weak_ptr<T>& w) noexcept {
    return w.lock().get();
  }
  template <class T>
  static std::weak_ptr<T> weak(const std::shared_ptr<T>& p) noexcept {
    return p;
  }
};

}  // namespace mmbench
