// leak_exit: the question behind the project — what does forgetting to free
// cost, and what does freeing everything before exit cost?
//
// Phase 1, a long-running loop: each iteration builds a request (a 64 B
// header and 8-16 parts of 256 B, 2-4 KiB), processes it (hashes every part)
// and releases it — except about 1 in 20, which the program "forgets". For
// the malloc families a forgotten request is never freed; for shared_ptr it is
// the realistic refcount leak: the request's last part holds a strong
// reference back to the request (a completion callback that captured its own
// request), so dropping the handle leaves an unreachable cycle. Boehm collects
// forgotten requests; the arena runs each iteration in a region, so nothing
// leaks there.
// Unit of latency: a batch of kLatencyBatch phase-1 iterations (requests): one
// iteration is so short that timing each would make the clock a visible
// share of the run (docs/workloads/leak_exit.md). Throughput still counts
// requests.
//
// Phase 2: build a large live list (32 B nodes), hash it, then free it all,
// as a careful program does before exit; `free_all_ns` is that cost. Not
// freeing costs ~0 in the process (the OS reclaims the pages at exit; the
// runner's wall time includes process exit).
//
// Live bytes: the phase-2 list, 32 B per node (next + three words) as logical
// data; it is far larger than the one request live at a time in phase 1
// (at most 64 + 16 * 256 B). Forgotten requests are unreachable, not live.
//
// Counters: forgotten_requests, forgotten_bytes (logical bytes the program
// forgot, identical for all strategies), leaked_bytes (the part the strategy
// cannot reclaim: all of it for malloc and shared_ptr, none for arena and
// Boehm), rss_kib_* (this process's own RSS at fixed points outside timed
// units; the runner's outside sampling is the authoritative timeline),
// phase1_ns, phase2_build_ns, free_all_ns.
//
// MMBENCH_LEAK_EXIT_CLEANUP=1 keeps the forgotten requests in a side list and
// frees them at the very end, so valgrind / LSan stay usable on this file.
// Without it the manual variants really leak (WorkloadInfo.deliberate_leak).
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <vector>

#include "workloads/workload.hpp"

namespace mmbench {

// This process's resident set in KiB, from /proc/self/statm, without
// allocating (the measured allocator must not see the harness).
inline double self_rss_kib() noexcept {
  const int fd = ::open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char buf[128];
  const ssize_t n = ::read(fd, buf, sizeof(buf) - 1);
  ::close(fd);
  if (n <= 0) return 0;
  buf[n] = '\0';
  const char* p = buf;
  while (*p != ' ' && *p != '\0') ++p;  // skip total size
  const unsigned long long pages = std::strtoull(p, nullptr, 10);
  return static_cast<double>(pages) * static_cast<double>(::sysconf(_SC_PAGESIZE)) / 1024.0;
}

template <Strategy S>
struct LeakExit {
  static constexpr WorkloadInfo kInfo{
      .name = "leak_exit",
      .unit = "iteration",
      .description = "long loop forgetting 1 in 20 requests, then free-all before exit",
      .deliberate_leak = kNeedsRelease<S>,  // malloc families and shared_ptr leak on purpose
      .repeatable = false,                  // the leak grows until exit: one life per process
  };
  static constexpr int kPartWords = 30;
  static constexpr std::uint64_t kLatencyBatch = 16;
  static constexpr std::uint64_t kRequestBytes = 64;
  static constexpr std::uint64_t kPartBytes = 256;  // next, owner, 30 words
  static constexpr std::uint64_t kNodeBytes = 32;
  static constexpr std::uint64_t kForgetOneIn = 20;

  struct Request;
  struct Part {
    typename S::template Ptr<Part> next{};
    // Set only on a forgotten request's last part: the strong back-reference
    // that makes the shared_ptr cycle.
    typename S::template Ptr<Request> owner{};
    std::uint64_t words[kPartWords];
  };
  struct Request {
    typename S::template Ptr<Part> parts{};
    std::uint64_t id = 0;
    std::uint64_t n_parts = 0;
    std::uint64_t meta[5] = {};
  };
  struct Node {
    typename S::template Ptr<Node> next{};
    std::uint64_t words[3];
  };
  using RequestPtr = typename S::template Ptr<Request>;
  using PartPtr = typename S::template Ptr<Part>;
  using NodePtr = typename S::template Ptr<Node>;

  static RequestPtr build_request(std::uint64_t id, Rng& rng) {
    RequestPtr req = S::template make<Request>();
    Request* r = S::raw(req);
    r->id = id;
    r->n_parts = 8 + rng.below(9);
    for (auto& m : r->meta) m = rng.next();
    // Prepend: the parts list ends up in reverse build order, same for all.
    for (std::uint64_t i = 0; i < r->n_parts; ++i) {
      PartPtr part = S::template make<Part>();
      const std::uint64_t base = rng.next();
      for (int w = 0; w < kPartWords; ++w) S::raw(part)->words[w] = base ^ (std::uint64_t(w) << 40);
      S::raw(part)->next = std::move(r->parts);
      r->parts = std::move(part);
    }
    return req;
  }

  static std::uint64_t process(const Request* r) {
    std::uint64_t h = mix64(r->id ^ r->meta[0] ^ r->meta[4]);
    for (const Part* p = S::raw(r->parts); p != nullptr; p = S::raw(p->next)) {
      std::uint64_t sum = 0;
      for (int w = 0; w < kPartWords; ++w) sum += p->words[w] ^ (sum >> 9);
      h = mix64(h ^ sum);
    }
    return h;
  }

  static Part* last_part(Request* r) {
    Part* p = S::raw(r->parts);
    while (S::raw(p->next) != nullptr) p = S::raw(p->next);
    return p;
  }

  // The careful path: everything the request owns goes back.
  static void release_request(RequestPtr& req) {
    if constexpr (kFreesEachObject<S>) {
      PartPtr p = S::raw(req)->parts;
      while (p != nullptr) {
        PartPtr next = S::raw(p)->next;
        S::release(p);
        p = next;
      }
    }
    S::release(req);  // shared_ptr: cascades through <= 16 parts
  }

  // What phase 1 forgot; `list` holds weak handles to the forgotten requests
  // for leak checkers only (MMBENCH_LEAK_EXIT_CLEANUP, plain malloc).
  struct Forgotten {
    std::uint64_t requests = 0, bytes = 0;
    bool keep_list = false;
    std::vector<typename S::template Weak<Request>> list;
  };

  // One phase-1 request, in a region of its own for the arena: built,
  // processed, then released, or forgotten one time in kForgetOneIn.
  static std::uint64_t serve(std::uint64_t i, Rng& rng, Forgotten& f) {
    typename S::Scope scope;
    RequestPtr req = build_request(i, rng);
    const std::uint64_t digest = process(S::raw(req));
    if (rng.below(kForgetOneIn) != 0) {
      release_request(req);
      return digest;
    }
    ++f.requests;
    f.bytes += kRequestBytes + S::raw(req)->n_parts * kPartBytes;
    last_part(S::raw(req))->owner = req;  // the cycle (harmless without refcounts)
    if constexpr (kNeedsRelease<S>) {
      if (f.keep_list) f.list.push_back(S::weak(req));
    }
    if constexpr (S::kReclaim == Reclaim::kRefCount) {
      S::release(req);  // the owner drops its reference; the cycle keeps the rest
    } else {
      // Forgot to free: nothing is released (not even boehm-free's
      // GC_FREE); a region or the collector may still reclaim it.
      req = nullptr;
    }
    return digest;
  }

  // Phase 1: the long loop, timed in batches of kLatencyBatch requests.
  static std::uint64_t phase1(RunContext& ctx, std::uint64_t iterations, Rng& rng, std::uint64_t h,
                              Forgotten& f, WorkloadResult& r) {
    const std::int64_t phase1_start = now_ns();
    std::int64_t t0 = 0;
    for (std::uint64_t i = 0; i < iterations; ++i) {
      if (i % kLatencyBatch == 0) t0 = ctx.unit_start();
      h = mix64(h ^ serve(i, rng, f));
      if (i % kLatencyBatch == kLatencyBatch - 1 || i + 1 == iterations) ctx.unit_end(t0);
      ++r.units;
    }
    ctx.counters.set("phase1_ns", static_cast<double>(now_ns() - phase1_start));
    ctx.counters.set("rss_kib_phase1_end", self_rss_kib());
    return h;
  }

  // Phase 2: a large live list built, hashed, then freed all at once; returns its hash.
  static std::uint64_t phase2(RunContext& ctx, std::uint64_t list_nodes, Rng& rng) {
    std::int64_t free_start;
    std::uint64_t lh = 0;
    {
      typename S::Scope scope;
      const std::int64_t t0 = now_ns();
      NodePtr head{};
      for (std::uint64_t i = 0; i < list_nodes; ++i) {
        NodePtr n = S::template make<Node>();
        for (auto& w : S::raw(n)->words) w = rng.next();
        S::raw(n)->next = std::move(head);
        head = std::move(n);
      }
      ctx.counters.set("phase2_build_ns", static_cast<double>(now_ns() - t0));
      for (const Node* n = S::raw(head); n != nullptr; n = S::raw(n->next)) {
        lh = mix64(lh ^ n->words[0] ^ n->words[1] ^ n->words[2]);
      }
      ctx.counters.set("rss_kib_phase2_built", self_rss_kib());
      free_start = now_ns();
      release_list<S>(head);
    }  // arena: the rewind is the free-all
    ctx.counters.set("free_all_ns", static_cast<double>(now_ns() - free_start));
    ctx.counters.set("rss_kib_end", self_rss_kib());
    return lh;
  }

  // MMBENCH_LEAK_EXIT_CLEANUP only: frees what phase 1 forgot.
  static void release_forgotten(Forgotten& f) {
    if constexpr (kNeedsRelease<S>) {
      for (auto& w : f.list) {
        RequestPtr req{};
        if constexpr (S::kReclaim == Reclaim::kRefCount) {
          req = w.lock();
          last_part(S::raw(req))->owner.reset();  // break the cycle
        } else {
          req = w;
        }
        release_request(req);
      }
    }
  }

  static WorkloadResult run(RunContext& ctx) {
    const std::uint64_t iterations = scaled<std::uint64_t>(ctx.size, 20'000, 300'000, 2'000'000);
    const std::uint64_t list_nodes = scaled<std::uint64_t>(ctx.size, 100'000, 1'000'000, 4'000'000);
    const char* cleanup_env = std::getenv("MMBENCH_LEAK_EXIT_CLEANUP");
    Forgotten forgotten;
    forgotten.keep_list = cleanup_env != nullptr && cleanup_env[0] == '1';

    WorkloadResult r;
    Rng rng(mix64(ctx.seed ^ 0x6c65616b5f657869ULL));
    std::uint64_t h = mix64(iterations ^ (list_nodes << 24));
    ctx.counters.set("rss_kib_start", self_rss_kib());
    h = phase1(ctx, iterations, rng, h, forgotten, r);
    h = mix64(h ^ phase2(ctx, list_nodes, rng));
    release_forgotten(forgotten);

    h = mix64(h ^ forgotten.requests);
    ctx.counters.set("forgotten_requests", static_cast<double>(forgotten.requests));
    ctx.counters.set("forgotten_bytes", static_cast<double>(forgotten.bytes));
    ctx.counters.set("leaked_bytes", kNeedsRelease<S> ? static_cast<double>(forgotten.bytes) : 0.0);
    r.checksum = h;
    r.live_bytes = list_nodes * kNodeBytes;
    return r;
  }
};

MMBENCH_WORKLOAD(LeakExit);

}  // namespace mmbench
