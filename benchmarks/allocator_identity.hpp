// Which allocator really serves malloc and operator new in this process.
// A benchmark that measures glibc while claiming jemalloc is the worst failure
// this project can have, so every worker checks this before it runs.
#pragma once

#include <string>

namespace mmbench {

struct AllocatorIdentity {
  std::string family;       // "glibc", "mimalloc", "jemalloc", "asan", or "other"
  std::string malloc_from;  // path of the object that defines the malloc in use
  std::string new_from;     // path of the object that defines operator new
  std::string version;      // allocator's own version where it reports one
  std::string sanitizer;    // sanitizers this binary is built with ("address,undefined"), or ""
};

AllocatorIdentity identify_allocator();

// Empty when `expected` (a family name, or for a preloaded library the path
// or file name that must define malloc) matches; otherwise the reason.
std::string allocator_mismatch(const AllocatorIdentity& id, const std::string& expected);

}  // namespace mmbench
