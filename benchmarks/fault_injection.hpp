// Faults the tests ask for (--fault), raised at the start of the measured
// passes so that the runner's and the sanitizers' handling of each is tested
// on a real worker.
#pragma once

#include <string>

namespace mmbench {

inline constexpr const char* kFaultNames[] = {"crash",       "hang",      "oom",  "asan-overflow",
                                              "ubsan-shift", "lsan-leak", "flood"};

// Raises the named fault; an empty name raises none.
void inject_fault(const std::string& fault);

}  // namespace mmbench
