// mmbench-host-probe: how fast this CPU runs allocation-shaped code right now.
//
// The runner runs it on the worker's CPU just before and just after every
// worker process, and compares its time with the fastest readings of the
// session (benchmarks/mmbench/runner/host_probe.py). A VM's host can slow
// every workload down through the memory system with no steal, PSI or
// migration to show for it; register-only code hardly sees that, so the probe
// builds and walks a binary tree in a few MiB of memory (stores to fresh
// cache lines, pointer loads beyond L2, in L3). docs/reproducibility.md,
// section 1, has the readings.
//
// It runs in a process of its own so that its buffer never counts in a
// worker's peak RSS. Output, one line of JSON:
//   {"probe":"tree16","samples":9,"median_ns":N,"min_ns":N,"max_ns":N,"checksum":N}
// With --serve it answers one such line per line read from stdin, so that the
// runner pays for one process start per session, not two per worker.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "base/clock.hpp"

namespace {

struct Node {
  Node* left;
  Node* right;
  std::uint64_t value;
  std::uint64_t pad;  // 32 B, the size of a small allocation with its header
};

constexpr int kDepth = 16;  // 2^17 - 1 nodes x 32 B = 4 MiB: beyond L2, within L3
constexpr std::size_t kNodes = (std::size_t{1} << (kDepth + 1)) - 1;

// Pre-order, bump-allocated: the allocation pattern of a tree-building workload
// without an allocator in the way.
Node* build(Node* nodes, std::size_t& next, int depth, std::uint64_t value) {
  Node* n = &nodes[next++];
  n->value = value;
  if (depth > 0) {
    n->left = build(nodes, next, depth - 1, value * 3);
    n->right = build(nodes, next, depth - 1, value * 3 + 1);
  } else {
    n->left = n->right = nullptr;
  }
  return n;
}

std::uint64_t sum(const Node* n) {
  return n->left == nullptr ? n->value : n->value + sum(n->left) + sum(n->right);
}

int usage(const char* why) {
  std::fprintf(stderr,
               "mmbench-host-probe: %s\n"
               "usage: mmbench-host-probe [--samples N] [--serve]\n"
               "  --serve: answer one probe per line read from stdin (the line: its\n"
               "           number of samples, or empty for --samples), until end of input\n",
               why);
  return 2;
}

bool parse_samples(const char* text, int& samples) {
  char* end = nullptr;
  const long n = std::strtol(text, &end, 10);
  if (end == text || (*end != '\0' && *end != '\n') || n < 1 || n > 1000) return false;
  samples = static_cast<int>(n);
  return true;
}

class Probe {
 public:
  Probe() : nodes_(kNodes) {  // touched here, before anything is timed
    // One untimed build first: the pages are mapped and the caches hold the tree.
    run_once(1);
  }

  // `samples` timed builds and walks; one line of JSON on stdout.
  void report(int samples) {
    times_.clear();
    for (int s = 0; s < samples; ++s) {
      const std::int64_t t0 = mmbench::monotonic_ns(CLOCK_MONOTONIC_RAW);
      run_once(static_cast<std::uint64_t>(s) + 2);
      times_.push_back(mmbench::monotonic_ns(CLOCK_MONOTONIC_RAW) - t0);
    }
    std::sort(times_.begin(), times_.end());
    std::printf(
        "{\"probe\":\"tree%d\",\"samples\":%d,\"median_ns\":%lld,\"min_ns\":%lld,"
        "\"max_ns\":%lld,\"checksum\":%llu}\n",
        kDepth, samples, static_cast<long long>(times_[times_.size() / 2]),
        static_cast<long long>(times_.front()), static_cast<long long>(times_.back()),
        static_cast<unsigned long long>(checksum_));
    std::fflush(stdout);
  }

 private:
  void run_once(std::uint64_t seed) {
    std::size_t next = 0;
    checksum_ += sum(build(nodes_.data(), next, kDepth, seed));
  }

  std::vector<Node> nodes_;
  std::vector<std::int64_t> times_ = std::vector<std::int64_t>(1000);
  std::uint64_t checksum_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  int samples = 9;
  bool serve = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--samples") == 0 && i + 1 < argc) {
      if (!parse_samples(argv[++i], samples))
        return usage("--samples takes a whole number from 1 to 1000");
    } else if (std::strcmp(argv[i], "--serve") == 0) {
      serve = true;
    } else {
      return usage("unknown argument");
    }
  }
  Probe probe;
  if (!serve) {
    probe.report(samples);
    return 0;
  }
  std::array<char, 64> line{};
  while (std::fgets(line.data(), line.size(), stdin) != nullptr) {
    int n = samples;
    if (line[0] != '\n' && !parse_samples(line.data(), n)) {
      std::printf("{\"error\":\"a line must hold a number of samples from 1 to 1000\"}\n");
      std::fflush(stdout);
      continue;
    }
    probe.report(n);
  }
  return 0;
}
