// One run of a registered combination, as a Google Benchmark benchmark with
// fixed work (one benchmark iteration, which holds the measured passes).
#pragma once

#include <string>
#include <vector>

#include "benchmarks/allocator_identity.hpp"
#include "benchmarks/registry.hpp"
#include "benchmarks/worker_options.hpp"

namespace mmbench {

// Runs the entry with Google Benchmark's share of the command line (`rest`,
// after the program name) and writes the detail JSON; out of memory and other
// errors become their exit codes (base/exit_codes.hpp).
int run_guarded(const WorkerOptions& opt, const WorkloadEntry& entry, const AllocatorIdentity& id,
                const std::vector<std::string>& rest, char* argv0);

}  // namespace mmbench
