// producer_consumer (workloads/producer_consumer.cpp): T producer threads
// allocate messages that T consumer threads drop (the xmalloc-test / larson
// pattern). Producer i hands messages to consumer i through a bounded
// single-producer single-consumer ring of 256 slots, preallocated before the
// threads start. Message sizes 32 B * 2^k, k uniform in 0..7 (header
// included, as the C++ sizes count it); the consumer reads all of the payload.
// Unit of latency: one message's service time (the producer's allocation and
// fill plus the consumer's read and drop, not its wait in the ring), recorded
// per consumer and merged. Checksum: per pair, in FIFO order.
//
// Managed formulation: a message is an object with its payload words in an
// array; the consumer takes it out of the ring (clearing the slot) and drops
// it: the collector reclaims memory another thread allocated.
package mmbench.workloads;

import java.util.concurrent.atomic.AtomicLong;
import mmbench.jvm.Histogram;

public final class ProducerConsumer implements Workload {
  private static final WorkloadInfo INFO = new WorkloadInfo("producer_consumer", "message",
      "producer threads allocate messages that consumer threads free (larson)").multithreaded();
  static final int QUEUE_SLOTS = 256; // power of two
  static final int SIZE_CLASSES = 8; // 32 B << 0..7
  static final long MEAN_MESSAGE_BYTES = 1020;
  static final int HEADER_BYTES = 24;

  static final class Message {
    long produceNs; // producer's time to allocate and fill it
    int seq;
    int bytes; // total size, header included
    long[] words;
  }

  static final class Ring {
    final AtomicLong head = new AtomicLong(); // next slot to read (consumer)
    final AtomicLong tail = new AtomicLong(); // next slot to write (producer)
    final Message[] slots = new Message[QUEUE_SLOTS];
  }

  @Override
  public WorkloadInfo info() {
    return INFO;
  }

  static int backoff(int spins) {
    if (++spins < 64) {
      Thread.onSpinWait();
    } else {
      Thread.yield();
    }
    return spins;
  }

  static void produce(Ring ring, long messages, long seed, boolean timed) {
    Rng rng = new Rng(seed);
    long tail = 0;
    for (long seq = 0; seq < messages; ++seq) {
      long started = timed ? System.nanoTime() : 0;
      int sizeClass = (int) rng.below(SIZE_CLASSES);
      Message m = new Message();
      m.seq = (int) seq;
      m.bytes = 32 << sizeClass;
      int nWords = (m.bytes - HEADER_BYTES) / 8;
      m.words = new long[nWords];
      long base = rng.next();
      for (int i = 0; i < nWords; ++i) m.words[i] = base + i * 0x9e3779b97f4a7c15L;
      m.produceNs = timed ? System.nanoTime() - started : 0;
      int spins = 0;
      while (tail - ring.head.get() == QUEUE_SLOTS) spins = backoff(spins);
      ring.slots[(int) (tail & (QUEUE_SLOTS - 1))] = m;
      ring.tail.set(++tail); // a volatile write: publishes the slot
    }
  }

  static long consume(Ring ring, long messages, Histogram latency, boolean timed) {
    long h = 0;
    long head = 0;
    for (long received = 0; received < messages; ++received) {
      int spins = 0;
      while (ring.tail.get() == head) spins = backoff(spins);
      long dequeued = timed ? System.nanoTime() : 0;
      int slot = (int) (head & (QUEUE_SLOTS - 1));
      Message m = ring.slots[slot];
      ring.slots[slot] = null; // no stale reference keeps a message alive
      ring.head.set(++head);
      long sum = 0;
      for (long w : m.words) sum += w ^ (sum >>> 7);
      h = Workload.mix64(h ^ sum ^ ((long) m.bytes << 32) ^ (m.seq & 0xffffffffL));
      long produceNs = m.produceNs;
      m = null; // dropped
      if (timed) latency.record(produceNs + (System.nanoTime() - dequeued));
    }
    return h;
  }

  @Override
  public WorkloadResult run(RunContext ctx) throws InterruptedException {
    long perProducer = Workload.scaled(ctx.size, 50_000L, 1_500_000L, 10_000_000L);
    int pairs = Math.max(ctx.threads, 1);
    // Everything the threads touch is allocated here, before they start.
    Ring[] rings = new Ring[pairs];
    Histogram[] latencies = new Histogram[pairs];
    long[] hashes = new long[pairs];
    Thread[] threads = new Thread[2 * pairs];
    boolean timed = ctx.timeUnits;
    for (int i = 0; i < pairs; ++i) {
      rings[i] = new Ring();
      latencies[i] = new Histogram();
      final int pair = i;
      long seed = Workload.mix64(ctx.seed ^ ((long) i << 32));
      threads[2 * i] = new Thread(
          () -> hashes[pair] = consume(rings[pair], perProducer, latencies[pair], timed), "consumer-" + i);
      threads[2 * i + 1] = new Thread(() -> produce(rings[pair], perProducer, seed, timed), "producer-" + i);
    }
    for (Thread t : threads) t.start();
    for (Thread t : threads) t.join();
    WorkloadResult r = new WorkloadResult();
    long h = Workload.mix64(perProducer ^ ((long) pairs << 48));
    for (int i = 0; i < pairs; ++i) {
      h = Workload.mix64(h ^ hashes[i]);
      ctx.latency.merge(latencies[i]);
    }
    long messages = perProducer * pairs;
    ctx.counters.set("messages", messages);
    ctx.counters.set("threads", 2 * pairs);
    r.checksum = h;
    r.units = messages;
    r.liveBytes = pairs * ((QUEUE_SLOTS + 2) * MEAN_MESSAGE_BYTES + QUEUE_SLOTS * 8L);
    return r;
  }
}
