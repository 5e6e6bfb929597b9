// message_ring (workloads/message_ring.cpp): the gc-latency-experiment
// workload. A ring of N slots; each push allocates a 1 KiB message, fills it
// with deterministic bytes, stores it in slot (i mod N) and drops the message
// that was there. Every message lives exactly N pushes: a constant live set
// of N KiB that turns over completely every N pushes.
// Unit of latency: one push (allocate, fill, store, drop the old message).
//
// Live bytes: N messages of 1 KiB (the C++ sizeof(Message)) at once.
// Managed formulation: a message is an object holding its 1016-byte payload
// array (the C++ struct's inline char array); overwriting the slot drops it.
package mmbench.workloads;

public final class MessageRing implements Workload {
  private static final WorkloadInfo INFO = new WorkloadInfo("message_ring", "push",
      "gc-latency-experiment: ring of N 1 KiB messages, each push drops the oldest");
  static final int MESSAGE_BYTES = 1024;
  static final int PAYLOAD_BYTES = MESSAGE_BYTES - 8;
  static final int PATTERN_BYTES = 4096;
  // Message payloads are windows into this deterministic text.
  private static final byte[] PATTERN = new byte[PATTERN_BYTES];

  static {
    for (int i = 0; i < PATTERN_BYTES; ++i) PATTERN[i] = (byte) Workload.mix64(i ^ 0x5a5a);
  }

  static final class Message {
    long seq;
    final byte[] payload = new byte[PAYLOAD_BYTES];
  }

  @Override
  public WorkloadInfo info() {
    return INFO;
  }

  static void fill(Message m, long seq, Rng rng) {
    m.seq = seq;
    int offset = (int) rng.below(PATTERN_BYTES - PAYLOAD_BYTES);
    System.arraycopy(PATTERN, offset, m.payload, 0, PAYLOAD_BYTES);
    // Stamp the sequence number in, so no two messages are byte-identical.
    LittleEndian.put(m.payload, (int) Workload.umod(seq, PAYLOAD_BYTES - 8), seq);
  }

  // What a consumer reads from a message: a few words, not every byte.
  static long digest(Message m) {
    long first = LittleEndian.get(m.payload, 0);
    long last = LittleEndian.get(m.payload, PAYLOAD_BYTES - 8);
    return Workload.mix64(m.seq ^ first ^ (last << 1));
  }

  @Override
  public WorkloadResult run(RunContext ctx) {
    long slots = Workload.scaled(ctx.size, 20_000L, 200_000L, 400_000L);
    long pushes = Workload.scaled(ctx.size, 100_000L, 1_000_000L, 6_000_000L);
    Rng rng = new Rng(ctx.seed ^ 0x6d73672d72696e67L);
    long h = Workload.mix64(slots ^ (pushes << 24));
    Message[] ring = new Message[(int) slots];
    for (long i = 0; i < pushes; ++i) {
      long t0 = ctx.unitStart();
      int slot = (int) (i % slots);
      if (ring[slot] != null) h = Workload.mix64(h ^ digest(ring[slot]));
      Message m = new Message();
      fill(m, i, rng);
      ring[slot] = m; // the old message dropped
      ctx.unitEnd(t0);
    }
    for (int s = 0; s < ring.length; ++s) {
      Message m = ring[s];
      if (m == null) continue;
      h = Workload.mix64(h ^ digest(m));
      for (int k = 0; k + 8 <= PAYLOAD_BYTES; k += 8) {
        h = Workload.mix64(h ^ LittleEndian.get(m.payload, k));
      }
      ring[s] = null;
    }
    WorkloadResult r = new WorkloadResult();
    r.checksum = h;
    r.units = pushes;
    r.liveBytes = Math.min(slots, pushes) * MESSAGE_BYTES;
    return r;
  }
}
