#include "benchmarks/proc_stats.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

namespace mmbench {

ProcessCounters ProcessCounters::now() noexcept {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return {ru.ru_minflt, ru.ru_majflt, ru.ru_nvcsw, ru.ru_nivcsw};
}

long self_maxrss_kib() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

long self_vmhwm_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return -1;
}

nlohmann::json main_thread_sched() {
  nlohmann::json out = nlohmann::json::object();
  std::ifstream sched("/proc/thread-self/sched");
  std::string line;
  while (std::getline(sched, line)) {
    for (const char* key :
         {"se.nr_migrations", "nr_switches", "nr_voluntary_switches", "nr_involuntary_switches"}) {
      if (line.rfind(key, 0) == 0 && line.size() > std::strlen(key) &&
          line[std::strlen(key)] == ' ') {
        const auto colon = line.find(':');
        if (colon != std::string::npos)
          out[key] = std::strtoll(line.c_str() + colon + 1, nullptr, 10);
      }
    }
  }
  return out;
}

long statm_rss_kib() noexcept {
  char buf[128];
  const int fd = ::open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  const ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  if (n <= 0) return -1;
  buf[n] = '\0';
  unsigned long size = 0, resident = 0;
  if (std::sscanf(buf, "%lu %lu", &size, &resident) != 2) return -1;
  return static_cast<long>(resident * static_cast<unsigned long>(sysconf(_SC_PAGESIZE) / 1024));
}

}  // namespace mmbench
