// The strategies one worker binary hosts. mimalloc and jemalloc replace malloc
// for the whole process, so their workers host only the Malloc strategy; the
// glibc worker also hosts everything built on glibc or on its own heap:
// the arena, shared_ptr, the Boehm variants, the std::pmr resources and epsilon.
#pragma once

#include "allocators/malloc.hpp"

#if MMBENCH_WORKER_HOSTS_ALL
#include "allocators/arena.hpp"
#include "allocators/boehm.hpp"
#include "allocators/epsilon.hpp"
#include "allocators/pmr.hpp"
#include "allocators/shared_ptr.hpp"
#define MMBENCH_WORKER_STRATEGIES                                                 \
  ::mmbench::Malloc, ::mmbench::Arena, ::mmbench::SharedPtr, ::mmbench::Boehm,    \
      ::mmbench::BoehmFree, ::mmbench::BoehmIncremental, ::mmbench::BoehmMarkers, \
      ::mmbench::PmrMonotonic, ::mmbench::PmrPool, ::mmbench::Epsilon
#else
#define MMBENCH_WORKER_STRATEGIES ::mmbench::Malloc
#endif
