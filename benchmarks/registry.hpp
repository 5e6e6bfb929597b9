// What the worker knows of each hosted strategy and each workload × strategy
// combination, built once at registration from the strategy's type: its name,
// how it reclaims, which optional hooks it implements (strategy.hpp), and
// those hooks as plain function pointers. They are called per process or per
// pass, never per allocation; the worker never asks a strategy's name to
// decide what to call.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "allocators/malloc_config.hpp"
#include "allocators/strategy.hpp"
#include "workloads/workload.hpp"

#ifndef MMBENCH_MALLOC_FAMILY
#define MMBENCH_MALLOC_FAMILY "glibc"
#endif

namespace mmbench {

struct StrategyEntry {
  std::string_view name;
  std::string_view family;  // the worker's malloc family, which hosts it
  Reclaim reclaim;
  std::vector<std::string_view> hooks;  // names of the optional hooks it implements
  bool takes_heap_options;              // TakesHeapOptions
  bool takes_fixed_heap;                // TakesFixedHeap
  bool single_threaded;                 // SingleThreaded: refuses threaded workloads
  // Hooks; a strategy without one gets the default noted.
  void (*init_process)(const ProcessOptions&);           // nullptr: none
  nlohmann::json (*config_json)(const ProcessOptions&);  // default: {"malloc": ...}
  void (*reset_pauses)();                                // nullptr: observes no pauses
  nlohmann::json (*pause_report)(std::int64_t run_start_ns);
  std::string (*gc_version)();      // nullptr: no collector
  void (*end_pass)();               // nullptr: none
  const char* (*release_memory)();  // default: the malloc's own call
};

namespace registry_detail {

// Everything else draws on the process's malloc in the end.
inline nlohmann::json malloc_underneath(const ProcessOptions& o) {
  nlohmann::json c = nlohmann::json::object();
  c["malloc"] = malloc_config(o.malloc_family);
  return c;
}

template <class S>
StrategyEntry make_strategy_entry() {
  StrategyEntry e{};
  e.name = S::kName;
  e.family = MMBENCH_MALLOC_FAMILY;
  e.reclaim = S::kReclaim;
  e.takes_heap_options = TakesHeapOptions<S>;
  e.takes_fixed_heap = TakesFixedHeap<S>;
  e.single_threaded = SingleThreaded<S>;
  e.config_json = &malloc_underneath;
  e.release_memory = &release_malloc_memory;
  if constexpr (InitsProcess<S>) {
    e.hooks.push_back("init_process");
    e.init_process = [](const ProcessOptions& o) { S::init_process(o); };
  }
  if constexpr (TakesHeapOptions<S>) e.hooks.push_back("heap_options");
  if constexpr (TakesFixedHeap<S>) e.hooks.push_back("fixed_heap");
  if constexpr (ReportsConfig<S>) {
    e.hooks.push_back("config");
    e.config_json = [](const ProcessOptions& o) { return nlohmann::json(S::config_json(o)); };
  }
  if constexpr (ObservesPauses<S>) {
    e.hooks.push_back("pauses");
    e.reset_pauses = [] { S::reset_pauses(); };
    e.pause_report = [](std::int64_t t) { return nlohmann::json(S::pause_report(t)); };
  }
  if constexpr (ReportsGcVersion<S>) {
    e.hooks.push_back("gc_version");
    e.gc_version = [] { return std::string(S::gc_version()); };
  }
  if constexpr (EndsPasses<S>) {
    e.hooks.push_back("end_pass");
    e.end_pass = [] { S::end_pass(); };
  }
  if constexpr (ReleasesMemory<S>) {
    e.hooks.push_back("release_memory");
    e.release_memory = [] { return static_cast<const char*>(S::release_memory()); };
  }
  if constexpr (SingleThreaded<S>) e.hooks.push_back("single_threaded");
  return e;
}

}  // namespace registry_detail

// The one entry of strategy S, shared by every workload registered for it.
template <class S>
const StrategyEntry& strategy_entry() {
  static const StrategyEntry entry = registry_detail::make_strategy_entry<S>();
  return entry;
}

struct WorkloadEntry {
  WorkloadInfo info;
  const StrategyEntry* strategy;
  WorkloadResult (*run)(RunContext&);
  // Why the worker refuses this combination (exit "unsupported"), or nullptr.
  const char* refuses;
};

// Filled at static initialisation by the registration units, in link order.
std::vector<WorkloadEntry>& workload_registry();

// One pass of a workload inside a scope of its own, so that a region
// strategy gives back at its end whatever the workload made outside its own
// scopes (binary_trees' long-lived tree): a process that runs the workload
// again (steady-state iterations) starts each pass from the same heap.
template <template <class> class W, class S>
WorkloadResult run_in_scope(RunContext& ctx) {
  typename S::Scope scope;
  return W<S>::run(ctx);
}

template <template <class> class W, class S>
constexpr const char* refusal() {
  if constexpr (SingleThreaded<S>) {
    if (W<S>::kInfo.multithreaded) {
      return "single-threaded strategy (one process-wide resource, no locks); the workload "
             "runs threads";
    }
  }
  return nullptr;
}

template <template <class> class W, class List>
struct WorkloadRegistrar;

template <template <class> class W, template <class...> class List, class... Strategies>
struct WorkloadRegistrar<W, List<Strategies...>> {
  WorkloadRegistrar() {
    (workload_registry().push_back({W<Strategies>::kInfo, &strategy_entry<Strategies>(),
                                    &run_in_scope<W, Strategies>, refusal<W, Strategies>()}),
     ...);
  }
};

}  // namespace mmbench
