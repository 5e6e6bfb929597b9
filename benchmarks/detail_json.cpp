#include "benchmarks/detail_json.hpp"

#include <cstdio>
#include <fstream>
#include <stdexcept>

#include "base/histogram_json.hpp"
#include "base/unit_clock.hpp"

namespace mmbench {
namespace {

// What ran, where, with what: the run's identity.
void add_identity(nlohmann::json& d, const RunRecord& run) {
  const StrategyEntry& strategy = *run.entry.strategy;
  d["workload"] = run.entry.info.name;
  d["strategy"] = run.label;
  if (!run.opt.label.empty()) d["hosted_by"] = strategy.name;  // e.g. glibc's Malloc preloaded
  d["config"] = strategy.config_json(process_options(run.opt, run.id));
  d["unit"] = run.entry.info.unit;
  d["size"] = run.opt.size;
  d["threads"] = run.opt.threads;
  d["seed"] = run.opt.seed;
  d["deliberate_leak"] = run.entry.info.deliberate_leak;
  d["allocator"] = identity_json(run.id);
}

// The workload's result and the passes' times.
void add_passes(nlohmann::json& d, const RunRecord& run) {
  const Measurement& m = run.m;
  const Iteration* iterations = m.iterations.get();
  const int n_iterations = m.n_iterations;
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(m.result.checksum));
  d["checksum"] = hex;
  d["units"] = m.result.units;
  d["live_bytes"] = m.result.live_bytes;
  // wall_ns: the figure throughput is units / wall_ns of (see "iterations").
  d["wall_ns"] = figure_wall_ns(iterations, n_iterations);
  d["cpu_ns"] = median_of(iterations, n_iterations, &Iteration::cpu_ns);
  d["first_wall_ns"] = iterations[0].wall_ns;
  d["first_cpu_ns"] = iterations[0].cpu_ns;
  d["steady_state"] = n_iterations > 1;
  nlohmann::json its = nlohmann::json::array();
  for (int i = 0; i < n_iterations; ++i) {
    const Iteration& it = iterations[i];
    its.push_back({{"wall_ns", it.wall_ns},
                   {"cpu_ns", it.cpu_ns},
                   {"minor_faults", it.minor_faults},
                   {"involuntary_switches", it.involuntary_switches},
                   {"timed", it.timed}});
  }
  d["iterations"] = std::move(its);
  d["min_time_s"] = run.opt.min_time_s;
  d["repeatable"] = run.entry.info.repeatable;
}

// The instrument's cost: per record (a workload may time units in batches),
// calibrated at start-up; as a share of the timed iteration, and of the
// figure (none when the figure comes from the untimed repeated passes).
nlohmann::json unit_clock_json(const Measurement& m) {
  const std::int64_t first_wall_ns = m.iterations[0].wall_ns;
  const double records = static_cast<double>(m.latency->count() + m.corrected->count());
  const double timed_share =
      first_wall_ns > 0 ? records * m.record_cost_ns / static_cast<double>(first_wall_ns) : 0.0;
  return {{"source", UnitClock::source()},
          {"ns_per_tick", UnitClock::ns_per_tick()},
          {"record_cost_ns", m.record_cost_ns},
          {"timed_iteration_share", timed_share},
          {"figure_share", m.n_iterations > 1 ? 0.0 : timed_share}};
}

nlohmann::json process_json(const ProcessCounters& p) {
  return {{"minor_faults", p.minor_faults},
          {"major_faults", p.major_faults},
          {"voluntary_switches", p.voluntary_switches},
          {"involuntary_switches", p.involuntary_switches}};
}

// Latency, the workload's own counters, the drain and the collector's pauses.
void add_observations(nlohmann::json& d, const RunRecord& run) {
  const Measurement& m = run.m;
  d["latency"] = histogram_to_json(*m.latency);
  if (run.entry.info.open_loop) d["corrected_latency"] = histogram_to_json(*m.corrected);
  nlohmann::json extra = nlohmann::json::object();
  for (int i = 0; i < m.counters->size(); ++i) extra[m.counters->name(i)] = m.counters->value(i);
  d["counters"] = extra;
  if (run.opt.drain) d["drain"] = run.drain;
  const StrategyEntry& strategy = *run.entry.strategy;
  if (strategy.pause_report != nullptr) d["gc"] = strategy.pause_report(m.start_ns);
}

}  // namespace

nlohmann::json detail_json(const RunRecord& run) {
  const Measurement& m = run.m;
  nlohmann::json d;
  add_identity(d, run);
  add_passes(d, run);
  d["unit_clock"] = unit_clock_json(m);
  d["speed_probe_ns"] = {m.probe_before_ns,
                         m.probe_after_ns};  // before the first pass, after the last
  d["sched"] = main_thread_sched();
  d["process"] = process_json(run.process_end);
  d["start_monotonic_ns"] = m.start_ns;
  d["end_monotonic_ns"] = m.end_ns;
  d["self_maxrss_kib"] = self_maxrss_kib();
  add_observations(d, run);
  d["self_vmhwm_kib"] = self_vmhwm_kib();  // last: the peak includes everything above
  return d;
}

nlohmann::json identity_json(const AllocatorIdentity& id) {
  return {{"family", id.family},
          {"malloc_from", id.malloc_from},
          {"new_from", id.new_from},
          {"version", id.version},
          {"sanitizer", id.sanitizer}};
}

// Streamed: no copy of the whole text in memory after the detail's last
// reading (VmHWM).
void write_atomically(const std::string& path, const nlohmann::json& json) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << json << "\n";
    if (!out) throw std::runtime_error("cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    throw std::runtime_error("cannot rename " + tmp + " to " + path);
  }
}

}  // namespace mmbench
