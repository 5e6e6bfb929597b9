// What this worker holds: --describe, --list, and finding the registered
// combination a command line names.
#pragma once

#include "benchmarks/allocator_identity.hpp"
#include "benchmarks/registry.hpp"
#include "benchmarks/worker_options.hpp"

namespace mmbench {

// --describe: the allocator and each hosted strategy's configuration (every
// tuning knob, for the run's manifest); --list adds the workloads ×
// strategies, the strategies with their hooks, the sizes and the exit codes,
// which the tests and the runner are generated from. Prints JSON; returns
// the exit code.
int print_listing(const WorkerOptions& opt, const AllocatorIdentity& id);

// The registered combination the options name; nullptr (said why) if none.
const WorkloadEntry* find_entry(const WorkerOptions& opt);

}  // namespace mmbench
