#include "benchmarks/allocator_identity.hpp"

#include <dlfcn.h>
#include <gnu/libc-version.h>

#include <cstdlib>
#include <cstring>
#include <string>

namespace mmbench {
namespace {

std::string defining_object(const char* symbol) {
  void* sym = dlsym(RTLD_DEFAULT, symbol);
  if (sym == nullptr) return "";
  Dl_info info{};
  if (dladdr(sym, &info) == 0 || info.dli_fname == nullptr) return "";
  return info.dli_fname;
}

bool contains(const std::string& s, const char* needle) {
  return s.find(needle) != std::string::npos;
}

}  // namespace

AllocatorIdentity identify_allocator() {
  AllocatorIdentity id;
  id.malloc_from = defining_object("malloc");
  id.new_from = defining_object("_Znwm");
#ifdef MMBENCH_SANITIZE
  id.sanitizer = MMBENCH_SANITIZE;
#endif
  if (contains(id.malloc_from, "libasan")) {
    // AddressSanitizer's allocator: figures never comparable to glibc's.
    id.family = "asan";
    id.version = __VERSION__;  // libasan comes with the compiler
  } else if (contains(id.malloc_from, "mimalloc")) {
    id.family = "mimalloc";
    using VersionFn = int (*)();
    if (auto fn = reinterpret_cast<VersionFn>(dlsym(RTLD_DEFAULT, "mi_version"))) {
      const int v = fn();  // e.g. 209 -> 2.0.9
      id.version = std::to_string(v / 100) + "." + std::to_string(v / 10 % 10) + "." +
                   std::to_string(v % 10);
    }
  } else if (contains(id.malloc_from, "jemalloc")) {
    id.family = "jemalloc";
    using MallctlFn = int (*)(const char*, void*, size_t*, void*, size_t);
    if (auto fn = reinterpret_cast<MallctlFn>(dlsym(RTLD_DEFAULT, "mallctl"))) {
      const char* v = nullptr;
      size_t len = sizeof(v);
      if (fn("version", &v, &len, nullptr, 0) == 0 && v != nullptr) id.version = v;
    }
  } else if (contains(id.malloc_from, "/libc.so")) {
    id.family = "glibc";
    id.version = gnu_get_libc_version();
  } else {
    id.family = "other";
  }
  return id;
}

std::string allocator_mismatch(const AllocatorIdentity& id, const std::string& expected) {
  const bool is_family = expected == "glibc" || expected == "mimalloc" ||
                         expected == "jemalloc" || expected == "asan";
  // libasan serving malloc is right only in a build made with ASan (CMake
  // MMBENCH_SANITIZE), whose worker expects "asan"; anywhere else it is refused.
  if (expected == "asan" && id.sanitizer.find("address") == std::string::npos) {
    return "the asan family needs a build with -fsanitize=address (MMBENCH_SANITIZE); this "
           "one has sanitizers '" + id.sanitizer + "'";
  }
  if (is_family) {
    if (id.family != expected) {
      return "malloc is served by " + id.family + " (" + id.malloc_from + "), not " + expected;
    }
    // operator new must end in the same allocator: libstdc++'s operator new
    // calls malloc (glibc), mimalloc and jemalloc define their own.
    const bool new_ok = expected == "glibc"  ? contains(id.new_from, "libstdc++")
                        : expected == "asan" ? contains(id.new_from, "libasan")
                                             : contains(id.new_from, expected.c_str());
    if (!new_ok) {
      return "operator new is served by " + id.new_from + ", expected " + expected;
    }
    return "";
  }
  // A preloaded replacement, named by its path or file name.
  const std::string base = expected.substr(expected.rfind('/') + 1);
  if (!contains(id.malloc_from, base.c_str())) {
    return "malloc is served by " + id.malloc_from + ", not the preloaded " + expected;
  }
  return "";
}

}  // namespace mmbench
