// The detail JSON (--detail-out): every figure of one run, the one file the
// runner reads them from (docs/run-folder.md).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "benchmarks/allocator_identity.hpp"
#include "benchmarks/passes.hpp"
#include "benchmarks/proc_stats.hpp"
#include "benchmarks/registry.hpp"
#include "benchmarks/worker_options.hpp"

namespace mmbench {

// What one run leaves for its detail JSON.
struct RunRecord {
  const WorkerOptions& opt;
  const WorkloadEntry& entry;
  const std::string& label;  // the strategy name the results carry
  const AllocatorIdentity& id;
  const Measurement& m;
  const ProcessCounters& process_end;  // read right after the last pass
  const nlohmann::json& drain;         // drain_phase's readings (--drain), else null
};

// The process's own readings (sched, maxrss, VmHWM) are taken as it is
// built, VmHWM last: its peak includes everything the run and the JSON used.
nlohmann::json detail_json(const RunRecord& run);

nlohmann::json identity_json(const AllocatorIdentity& id);

// Writes the JSON (compact, then a newline) streamed into `path`.tmp, then
// renames it: a reader never sees half a file.
void write_atomically(const std::string& path, const nlohmann::json& json);

}  // namespace mmbench
