// The worker's exit codes: one declaration, read by the worker (its returns,
// `--list`'s "exit_codes"), the strategies that refuse a combination, and,
// through the listing, the tests and the runner.
#pragma once

#include <string_view>

namespace mmbench {

enum ExitCode : int {
  kExitOk = 0,
  kExitUsage = 2,        // bad command line, unknown workload or strategy
  kExitAllocator = 3,    // the allocator serving malloc is not the one claimed
  kExitOutOfMemory = 4,  // out of memory (also a collector heap cap or epsilon's cap)
  kExitError = 5,        // any other error, e.g. a repeated pass not doing the same work
  kExitUnsupported = 6,  // the strategy refuses the combination (see the listing's "refuses")
};

struct ExitCodeName {
  std::string_view name;
  ExitCode code;
};

// Names as `--list` reports them.
inline constexpr ExitCodeName kExitCodeNames[] = {
    {"ok", kExitOk},           {"usage", kExitUsage}, {"allocator_mismatch", kExitAllocator},
    {"oom", kExitOutOfMemory}, {"error", kExitError}, {"unsupported", kExitUnsupported},
};

}  // namespace mmbench
