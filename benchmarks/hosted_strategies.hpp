// The strategies one worker binary hosts, in registration order (the order of
// `--list`). mimalloc and jemalloc replace malloc for the whole process, so
// their workers host only the Malloc strategy; the glibc worker also hosts
// everything built on glibc or on its own heap: the arena, shared_ptr, the
// Boehm variants, the std::pmr resources and epsilon.
//
// Adding a strategy: its header in allocators/ and one line here. Every
// workload is then registered for it, and its smoke tests come from `--list`.
#pragma once

#include "allocators/malloc.hpp"

#if MMBENCH_WORKER_HOSTS_ALL
#include "allocators/arena.hpp"
#include "allocators/boehm.hpp"
#include "allocators/epsilon.hpp"
#include "allocators/pmr.hpp"
#include "allocators/shared_ptr.hpp"
#endif

namespace mmbench {

template <class... S>
struct StrategyList {};

#if MMBENCH_WORKER_HOSTS_ALL
using HostedStrategies = StrategyList<Malloc,            //
                                      Arena,             //
                                      SharedPtr,         //
                                      Boehm,             //
                                      BoehmFree,         //
                                      BoehmIncremental,  //
                                      BoehmMarkers,      //
                                      PmrMonotonic,      //
                                      PmrPool,           //
                                      Epsilon>;
#else
using HostedStrategies = StrategyList<Malloc>;
#endif

}  // namespace mmbench
