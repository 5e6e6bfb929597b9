// real_time_loop (workloads/real_time_loop.cpp): a fixed-rate loop (a game,
// an audio or control loop). Every 1 ms frame builds a scene graph (a tree of
// entities with parent back edges, vertex arrays and a flat display list),
// updates world positions through the parent edges, and drops the scene.
// Frames are scheduled open loop: frame k is due at t0 + k * period; a frame
// that overruns makes the next ones start late, none skipped.
// Unit of latency: one frame; ctx.latency gets the service time, ctx.corrected
// the time from the frame's due start (free of coordinated omission).
//
// Live bytes: the largest scene, counted logically as the C++ workload does.
// Managed formulation: parent edges are plain references (weak_ptr in the C++
// shared_ptr formulation); a vertex array is an int array of x, y pairs
// (the C++ vector of {int32, int32}); the scene is dropped whole.
package mmbench.workloads;

import java.util.ArrayList;
import java.util.concurrent.locks.LockSupport;

public final class RealTimeLoop implements Workload {
  private static final WorkloadInfo INFO = new WorkloadInfo("real_time_loop", "frame",
      "fixed-rate frame loop: a scene graph built and dropped every 1 ms frame")
          .openLoop()
          .notRepeatable()
          .headline("frame_time");
  static final int MAX_DEPTH = 6;
  static final long PERIOD_NS = 1_000_000;
  static final long FRAME_60HZ_NS = 16_700_000;

  static final class Entity {
    long id = 0;
    final long[] local = new long[3];
    final long[] world = new long[3];
    Entity parent;
    final ArrayList<Entity> children = new ArrayList<>();
    int[] vertices; // x0, y0, x1, y1, ...
  }

  static final class Scene {
    Entity root;
    final ArrayList<Entity> display = new ArrayList<>(); // flat draw order
    long bytes = 0;
  }

  @Override
  public WorkloadInfo info() {
    return INFO;
  }

  static Entity build(Scene scene, Entity parent, int depth, long budget, Rng rng) {
    Entity e = new Entity();
    e.id = rng.next();
    for (int c = 0; c < 3; ++c) e.local[c] = rng.below(2001) - 1000;
    e.parent = parent;
    int nvertices = (int) rng.below(33);
    e.vertices = new int[2 * nvertices];
    for (int i = 0; i < nvertices; ++i) {
      long w = rng.next();
      e.vertices[2 * i] = (int) w;
      e.vertices[2 * i + 1] = (int) (w >>> 32);
    }
    scene.display.add(e);
    scene.bytes += 8 + 24 + 24 + 8 + 8 + 8L * nvertices;
    long nchildren = depth < MAX_DEPTH ? rng.below(9) : 0;
    for (long i = 0; i < nchildren && scene.display.size() < budget; ++i) {
      e.children.add(build(scene, e, depth + 1, budget, rng));
      scene.bytes += 8;
    }
    return e;
  }

  // World position = parent's world position + local, through the parent edge.
  static long update(Scene scene) {
    long h = 0;
    for (Entity e : scene.display) { // preorder: a parent precedes its children
      Entity parent = e.parent;
      for (int c = 0; c < 3; ++c) e.world[c] = e.local[c] + (parent != null ? parent.world[c] : 0);
      long vsum = 0;
      for (int i = 0; i < e.vertices.length; i += 2) vsum += (long) e.vertices[i] * 3 + e.vertices[i + 1];
      h = Workload.mix64(h ^ (e.world[0] * 7 + e.world[1] * 3 + e.world[2]) ^ vsum);
    }
    return h;
  }

  static void sleepUntil(long dueNs) {
    for (long left = dueNs - System.nanoTime(); left > 0; left = dueNs - System.nanoTime()) {
      LockSupport.parkNanos(left);
    }
  }

  @Override
  public WorkloadResult run(RunContext ctx) {
    long frames = Workload.scaled(ctx.size, 100L, 2_000L, 12_000L);
    WorkloadResult r = new WorkloadResult();
    Rng rng = new Rng(ctx.seed ^ 0x6672616d65730a0aL);
    long h = Workload.mix64(frames);
    long miss1ms = 0, miss60hz = 0;
    long t0 = RunContext.nowNs();
    for (long k = 0; k < frames; ++k) {
      long due = t0 + k * PERIOD_NS;
      if (RunContext.nowNs() < due) sleepUntil(due);
      long start = RunContext.nowNs();
      Scene scene = new Scene();
      long budget = 100 + rng.below(901);
      scene.root = build(scene, null, 0, budget, rng);
      h = Workload.mix64(h ^ update(scene) ^ ((long) scene.display.size() << 40));
      r.liveBytes = Math.max(r.liveBytes, scene.bytes);
      scene = null; // dropped
      long end = RunContext.nowNs();
      ctx.latency.record(end - start);
      ctx.corrected.record(end - due);
      if (end - due > PERIOD_NS) ++miss1ms;
      if (end - due > FRAME_60HZ_NS) ++miss60hz;
    }
    ctx.counters.set("frames", frames);
    ctx.counters.set("deadline_miss_1ms", miss1ms);
    ctx.counters.set("deadline_miss_16_7ms", miss60hz);
    r.units = frames;
    r.checksum = h;
    return r;
  }
}
