// The end of a workload's registration unit. The worker build generates one
// unit per workload file (CMakeLists.txt, WORKLOAD_REGISTRATION_UNITS):
//   #include "workloads/NAME.cpp"            // the template, MMBENCH_WORKLOAD(...)
//   #include "benchmarks/register_workload.hpp"
// which registers that workload for every strategy this worker hosts.
#pragma once

#include "benchmarks/hosted_strategies.hpp"
#include "benchmarks/registry.hpp"

namespace mmbench {
namespace {
const WorkloadRegistrar<ThisWorkload, HostedStrategies> registrar;
}  // namespace
}  // namespace mmbench
