// real_time_loop: a fixed-rate loop (a game, an audio or control loop). Every
// frame builds a scene graph (a tree of entities with parent back edges,
// vertex vectors and a flat display list), updates world positions through
// the parent edges, and tears the scene down. Frames are scheduled at a fixed
// period, open loop: frame k is due at t0 + k * period; a frame that overruns
// makes the next ones start late, with no frame skipped, so a pause delays
// every frame queued behind it.
// Unit of latency: one frame. ctx.latency gets the service time (end - actual
// start); ctx.corrected the time from the frame's due start (end - due start),
// which is free of coordinated omission. Wall time is the period times the
// frame count for every strategy that keeps up, so throughput is not the
// figure here: the latencies and deadline misses are.
//
// Live bytes: the largest scene, counted logically as it is built, strategy
// independent: per entity 8 B id + 24 B local and 24 B world position + 8 B
// parent edge + 8 B display-list entry, 8 B per child edge and 8 B per vertex.
//
// Strategy formulations: manual strategies (and boehm-free, with GC_FREE) free
// the tree entity by entity; shared_ptr drops the root (a cascade of depth <= kMaxDepth; parent
// edges are weak_ptr, and the update locks them); Boehm drops the scene; the arena builds each
// frame in a region of its own (S::Scope).
#include <errno.h>
#include <time.h>

#include <algorithm>
#include <vector>

#include "workloads/workload.hpp"

namespace mmbench {

template <Strategy S>
struct RealTimeLoop {
  static constexpr WorkloadInfo kInfo{
      .name = "real_time_loop",
      .unit = "frame",
      .description = "fixed-rate frame loop: a scene graph built and dropped every 1 ms frame",
      .open_loop = true,
      .repeatable = false,  // a fixed rate: its figures are frame times, not throughput
      .headline = "frame_time",
  };
  static constexpr int kMaxDepth = 6;
  static constexpr std::int64_t kPeriodNs = 1'000'000;
  static constexpr std::int64_t kFrame60HzNs = 16'700'000;

  template <class T>
  using Vec = std::vector<T, typename S::template Allocator<T>>;

  struct Vertex {
    std::int32_t x, y;
  };
  struct Entity;
  using EntityPtr = typename S::template Ptr<Entity>;
  struct Entity {
    std::uint64_t id = 0;
    std::int64_t local[3] = {};
    std::int64_t world[3] = {};
    typename S::template Weak<Entity> parent{};
    Vec<EntityPtr> children;
    Vec<Vertex> vertices;
  };

  struct Scene {
    EntityPtr root{};
    Vec<Entity*> display;  // flat draw order; the tree owns the entities
    std::uint64_t bytes = 0;
  };

  static EntityPtr build(Scene& scene, const EntityPtr* parent, int depth, std::uint64_t budget,
                         Rng& rng) {
    EntityPtr p = S::template make<Entity>();
    Entity* e = S::raw(p);
    e->id = rng.next();
    for (auto& c : e->local) c = static_cast<std::int64_t>(rng.below(2001)) - 1000;
    if (parent != nullptr) e->parent = S::weak(*parent);
    const std::size_t nvertices = rng.below(33);
    for (std::size_t i = 0; i < nvertices; ++i) {
      const std::uint64_t w = rng.next();
      e->vertices.push_back({static_cast<std::int32_t>(w), static_cast<std::int32_t>(w >> 32)});
    }
    scene.display.push_back(e);
    scene.bytes += 8 + 24 + 24 + 8 + 8 + 8 * nvertices;
    const std::size_t nchildren = depth < kMaxDepth ? rng.below(9) : 0;
    for (std::size_t i = 0; i < nchildren && scene.display.size() < budget; ++i) {
      e->children.push_back(build(scene, &p, depth + 1, budget, rng));
      scene.bytes += 8;
    }
    return p;
  }

  // World position = parent's world position + local, through the parent edge.
  static std::uint64_t update(const Scene& scene) {
    std::uint64_t h = 0;
    for (Entity* e : scene.display) {  // preorder: a parent precedes its children
      const Entity* parent = S::raw(e->parent);
      for (int c = 0; c < 3; ++c) e->world[c] = e->local[c] + (parent ? parent->world[c] : 0);
      std::int64_t vsum = 0;
      for (const Vertex& v : e->vertices) vsum += std::int64_t{v.x} * 3 + v.y;
      h = mix64(h ^ static_cast<std::uint64_t>(e->world[0] * 7 + e->world[1] * 3 + e->world[2]) ^
                static_cast<std::uint64_t>(vsum));
    }
    return h;
  }

  static void drop(EntityPtr& p) {
    if constexpr (kFreesEachObject<S>) {
      if (!p) return;
      for (auto& c : S::raw(p)->children) drop(c);
    }
    S::release(p);
  }

  static void sleep_until(std::int64_t due_ns) {
    timespec ts{static_cast<time_t>(due_ns / 1'000'000'000),
                static_cast<long>(due_ns % 1'000'000'000)};
    // Boehm stops the world with signals, which interrupt the sleep.
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
    }
  }

  static WorkloadResult run(RunContext& ctx) {
    const std::uint64_t frames = scaled<std::uint64_t>(ctx.size, 100, 2'000, 12'000);
    WorkloadResult r;
    Rng rng(ctx.seed ^ 0x6672616d65730a0aULL);
    std::uint64_t h = mix64(frames);
    std::uint64_t miss_1ms = 0, miss_60hz = 0;

    const std::int64_t t0 = now_ns();
    for (std::uint64_t k = 0; k < frames; ++k) {
      const std::int64_t due = t0 + static_cast<std::int64_t>(k) * kPeriodNs;
      if (now_ns() < due) sleep_until(due);
      const std::int64_t start = now_ns();
      {
        typename S::Scope frame_scope;
        Scene scene;
        const std::uint64_t budget = 100 + rng.below(901);
        scene.root = build(scene, nullptr, 0, budget, rng);
        h = mix64(h ^ update(scene) ^ (scene.display.size() << 40));
        r.live_bytes = std::max(r.live_bytes, scene.bytes);
        drop(scene.root);
      }
      const std::int64_t end = now_ns();
      ctx.latency.record(end - start);
      ctx.corrected.record(end - due);
      miss_1ms += end - due > kPeriodNs;
      miss_60hz += end - due > kFrame60HzNs;
    }

    ctx.counters.set("frames", static_cast<double>(frames));
    ctx.counters.set("deadline_miss_1ms", static_cast<double>(miss_1ms));
    ctx.counters.set("deadline_miss_16_7ms", static_cast<double>(miss_60hz));
    r.units = frames;
    r.checksum = h;
    return r;
  }
};

MMBENCH_WORKLOAD(RealTimeLoop);

}  // namespace mmbench
