// What serves malloc in this process, as the allocator itself can tell:
// its configuration (one table for every family, in the manner of mimalloc's
// options.c) and its own call that gives free memory back to the system. The
// family is the allocator identity check's answer, found at run time, so that
// a preloaded allocator reports its own settings.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

namespace mmbench {

// glibc: GLIBC_TUNABLES; mimalloc: MIMALLOC_* and mi_option_get; jemalloc:
// MALLOC_CONF and mallctl("opt.*"); any other family: LD_PRELOAD.
nlohmann::json malloc_config(std::string_view family);

// mi_collect(true), jemalloc's purge of all arenas, gperftools'
// MallocExtension_ReleaseFreeMemory, else malloc_trim(0); returns the call's name.
const char* release_malloc_memory();

}  // namespace mmbench
