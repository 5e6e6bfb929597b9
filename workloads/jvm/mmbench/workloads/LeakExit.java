// leak_exit (workloads/leak_exit.cpp): what does forgetting to free cost, and
// what does freeing everything before exit cost?
// Phase 1, a long loop: each iteration builds a request (a 64 B header and
// 8-16 parts of 256 B), processes it and drops it, except about 1 in 20,
// which the program "forgets". Phase 2: build a large live list (32 B nodes),
// hash it, then drop it all, as a careful program does before exit.
// Unit of latency: a batch of 16 phase-1 iterations (requests).
//
// Managed formulation: a collector reclaims whatever is unreachable, so the
// managed-language leak is an object that stays reachable by mistake: each
// forgotten request is appended to a list the program keeps (a registry of
// pending callbacks nobody clears) until the end of the run. It is never
// reclaimed (leaked_bytes = forgotten_bytes, deliberate_leak), and every
// collection traces it. The request's last part also points back at its
// request (the C++ shared_ptr cycle), harmless to a tracing collector.
// MMBENCH_LEAK_EXIT_CLEANUP=1 clears the list at the very end.
package mmbench.workloads;

import java.util.ArrayList;

public final class LeakExit implements Workload {
  private static final WorkloadInfo INFO = new WorkloadInfo("leak_exit", "iteration",
      "long loop forgetting 1 in 20 requests, then free-all before exit")
          .deliberateLeak()
          .notRepeatable();
  static final int PART_WORDS = 30;
  static final long LATENCY_BATCH = 16;
  static final long REQUEST_BYTES = 64;
  static final long PART_BYTES = 256; // next, owner, 30 words
  static final long NODE_BYTES = 32;
  static final long FORGET_ONE_IN = 20;

  static final class Part {
    Part next;
    Request owner; // set only on a forgotten request's last part
    final long[] words = new long[PART_WORDS];
  }

  static final class Request {
    Part parts;
    long id = 0;
    long nParts = 0;
    final long[] meta = new long[5];
  }

  static final class Node {
    Node next;
    final long[] words = new long[3];
  }

  @Override
  public WorkloadInfo info() {
    return INFO;
  }

  static Request buildRequest(long id, Rng rng) {
    Request r = new Request();
    r.id = id;
    r.nParts = 8 + rng.below(9);
    for (int m = 0; m < r.meta.length; ++m) r.meta[m] = rng.next();
    // Prepend: the parts list ends up in reverse build order, same for all.
    for (long i = 0; i < r.nParts; ++i) {
      Part part = new Part();
      long base = rng.next();
      for (int w = 0; w < PART_WORDS; ++w) part.words[w] = base ^ ((long) w << 40);
      part.next = r.parts;
      r.parts = part;
    }
    return r;
  }

  static long process(Request r) {
    long h = Workload.mix64(r.id ^ r.meta[0] ^ r.meta[4]);
    for (Part p = r.parts; p != null; p = p.next) {
      long sum = 0;
      for (int w = 0; w < PART_WORDS; ++w) sum += p.words[w] ^ (sum >>> 9);
      h = Workload.mix64(h ^ sum);
    }
    return h;
  }

  static Part lastPart(Request r) {
    Part p = r.parts;
    while (p.next != null) p = p.next;
    return p;
  }

  // Phase 2: a large live list, hashed, then dropped at once (the free-all).
  static long phase2(long listNodes, Rng rng, RunContext ctx) {
    long t0 = RunContext.nowNs();
    Node head = null;
    for (long i = 0; i < listNodes; ++i) {
      Node n = new Node();
      for (int w = 0; w < 3; ++w) n.words[w] = rng.next();
      n.next = head;
      head = n;
    }
    ctx.counters.set("phase2_build_ns", RunContext.nowNs() - t0);
    long lh = 0;
    for (Node n = head; n != null; n = n.next) lh = Workload.mix64(lh ^ n.words[0] ^ n.words[1] ^ n.words[2]);
    ctx.counters.set("rss_kib_phase2_built", RunContext.selfRssKib());
    long freeStart = RunContext.nowNs();
    head = null; // the free-all: one reference dropped
    ctx.counters.set("free_all_ns", RunContext.nowNs() - freeStart);
    return lh;
  }

  @Override
  public WorkloadResult run(RunContext ctx) {
    long iterations = Workload.scaled(ctx.size, 20_000L, 300_000L, 2_000_000L);
    long listNodes = Workload.scaled(ctx.size, 100_000L, 1_000_000L, 4_000_000L);
    boolean cleanup = "1".equals(System.getenv("MMBENCH_LEAK_EXIT_CLEANUP"));
    ArrayList<Request> forgottenList = new ArrayList<>(); // the leak: reachable, never read
    WorkloadResult r = new WorkloadResult();
    Rng rng = new Rng(Workload.mix64(ctx.seed ^ 0x6c65616b5f657869L));
    long h = Workload.mix64(iterations ^ (listNodes << 24));
    long forgotten = 0, forgottenBytes = 0;
    ctx.counters.set("rss_kib_start", RunContext.selfRssKib());
    long phase1Start = RunContext.nowNs();
    long t0 = 0;
    for (long i = 0; i < iterations; ++i) {
      if (i % LATENCY_BATCH == 0) t0 = ctx.unitStart();
      Request req = buildRequest(i, rng);
      h = Workload.mix64(h ^ process(req));
      if (rng.below(FORGET_ONE_IN) == 0) {
        ++forgotten;
        forgottenBytes += REQUEST_BYTES + req.nParts * PART_BYTES;
        lastPart(req).owner = req; // the back-reference (a cycle)
        forgottenList.add(req);
      }
      if (i % LATENCY_BATCH == LATENCY_BATCH - 1 || i + 1 == iterations) ctx.unitEnd(t0);
      ++r.units;
    }
    ctx.counters.set("phase1_ns", RunContext.nowNs() - phase1Start);
    ctx.counters.set("rss_kib_phase1_end", RunContext.selfRssKib());
    h = Workload.mix64(h ^ phase2(listNodes, rng, ctx));
    ctx.counters.set("rss_kib_end", RunContext.selfRssKib());
    if (cleanup) forgottenList.clear();
    h = Workload.mix64(h ^ forgotten);
    ctx.counters.set("forgotten_requests", forgotten);
    ctx.counters.set("forgotten_bytes", forgottenBytes);
    ctx.counters.set("leaked_bytes", forgottenBytes);
    ctx.counters.set("leaked_reachable_requests", forgottenList.size());
    r.checksum = h;
    r.liveBytes = listNodes * NODE_BYTES;
    return r;
  }
}
