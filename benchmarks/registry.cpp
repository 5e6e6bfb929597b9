#include "benchmarks/registry.hpp"

namespace mmbench {

std::vector<WorkloadEntry>& workload_registry() {
  static std::vector<WorkloadEntry> entries;
  return entries;
}

}  // namespace mmbench
