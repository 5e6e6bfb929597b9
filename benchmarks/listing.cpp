#include "benchmarks/listing.hpp"

#include <exception>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "base/exit_codes.hpp"
#include "base/sizes.hpp"
#include "benchmarks/detail_json.hpp"
#include "benchmarks/hosted_strategies.hpp"

namespace mmbench {
namespace {

// The hosted strategies, in registration order.
template <class... S>
std::vector<const StrategyEntry*> entries_of(StrategyList<S...>) {
  return {&strategy_entry<S>()...};
}
const std::vector<const StrategyEntry*>& hosted_strategies() {
  static const std::vector<const StrategyEntry*> all = entries_of(HostedStrategies{});
  return all;
}

nlohmann::json listing_entry(const WorkloadEntry& e) {
  return {{"workload", e.info.name},
          {"strategy", e.strategy->name},
          {"unit", e.info.unit},
          {"description", e.info.description},
          {"open_loop", e.info.open_loop},
          {"deliberate_leak", e.info.deliberate_leak},
          {"repeatable", e.info.repeatable},
          {"multithreaded", e.info.multithreaded},
          {"headline", e.info.headline},
          {"refuses", e.refuses != nullptr ? nlohmann::json(e.refuses) : nlohmann::json(nullptr)}};
}

nlohmann::json listing_strategy(const StrategyEntry& s) {
  return {{"name", s.name},
          {"family", s.family},
          {"reclaim", reclaim_name(s.reclaim)},
          {"hooks", s.hooks}};
}

// --list's additions to --describe.
void add_list(nlohmann::json& out) {
  nlohmann::json entries = nlohmann::json::array();
  for (const auto& e : workload_registry()) entries.push_back(listing_entry(e));
  out["entries"] = std::move(entries);
  nlohmann::json strategies = nlohmann::json::array();
  for (const StrategyEntry* s : hosted_strategies()) strategies.push_back(listing_strategy(*s));
  out["strategies"] = std::move(strategies);
  nlohmann::json sizes = nlohmann::json::array();
  for (const auto& s : kSizeNames) sizes.push_back(s.name);
  out["sizes"] = std::move(sizes);
  nlohmann::json codes = nlohmann::json::object();
  for (const auto& c : kExitCodeNames) codes[std::string(c.name)] = static_cast<int>(c.code);
  out["exit_codes"] = std::move(codes);
}

std::string join(const std::set<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

int print_listing(const WorkerOptions& opt, const AllocatorIdentity& id) {
  nlohmann::json out;
  out["family"] = MMBENCH_MALLOC_FAMILY;
  out["allocator"] = identity_json(id);
  nlohmann::json config = nlohmann::json::object();
  try {
    for (const StrategyEntry* s : hosted_strategies()) {
      config[std::string(s->name)] = s->config_json(process_options(opt, id));
    }
  } catch (const std::exception& e) {
    std::cerr << "mmbench-worker: " << e.what() << "\n";
    return kExitUsage;
  }
  out["config"] = std::move(config);
  if (opt.list) add_list(out);
  for (const StrategyEntry* s : hosted_strategies()) {
    if (s->gc_version != nullptr) {
      out["gc_version"] = s->gc_version();
      break;
    }
  }
  std::cout << out.dump(1) << "\n";
  return kExitOk;
}

const WorkloadEntry* find_entry(const WorkerOptions& opt) {
  std::set<std::string> workloads, strategies;
  for (const auto& e : workload_registry()) {
    workloads.insert(std::string(e.info.name));
    strategies.insert(std::string(e.strategy->name));
    if (e.info.name == opt.workload && e.strategy->name == opt.strategy) return &e;
  }
  if (!workloads.count(opt.workload)) {
    std::cerr << "mmbench-worker: unknown workload '" << opt.workload
              << "'; valid: " << join(workloads) << "\n";
  } else {
    std::cerr << "mmbench-worker: unknown strategy '" << opt.strategy
              << "' in this worker; valid: " << join(strategies) << "\n";
  }
  return nullptr;
}

}  // namespace mmbench
