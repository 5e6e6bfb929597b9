// lru_cache (workloads/lru_cache.cpp): a key-value cache at a fixed capacity
// of entries under a Zipf(s = 1) key stream over a key space 20x the
// capacity, drawn by rejection inversion (Hormann & Derflinger). Each
// operation is a get-or-insert: a hit moves the entry to the front of the LRU
// list and reads its value; a miss allocates the key's value (power-law size,
// 16 B - 64 KiB, fixed per key), filled with deterministic bytes, evicting
// the least recently used entry when full. Values of very different sizes die
// in an unpredictable order. Unit of latency: a batch of 64 operations.
//
// Live bytes: counted exactly as the C++ workload counts them (value bytes +
// 24 B per live entry, the maximum over time).
// Managed formulation: an evicted value is dropped; the slots, LRU links and
// index are primitive arrays beside one array of value references.
package mmbench.workloads;

import java.util.Arrays;

public final class LruCache implements Workload {
  private static final WorkloadInfo INFO = new WorkloadInfo("lru_cache", "batch of 64 ops",
      "LRU key-value cache, Zipf keys, 16 B-64 KiB values dying in random order");
  static final long BATCH = 64;
  static final long KEY_SPACE_FACTOR = 20;
  static final long ENTRY_BYTES = 24; // logical: key, value pointer, links
  static final int NONE = -1;
  static final int MIN_VALUE_BYTES = 16;
  static final int MAX_VALUE_BYTES = 64 * 1024;

  // Zipf(s = 1) over ranks 1..n by rejection inversion.
  static final class Zipf1 {
    final long n;
    final double hX1;
    final double hN;
    final double s;

    Zipf1(long n) {
      this.n = n;
      hX1 = Math.log(1.5) - 1.0;
      hN = Math.log((double) n + 0.5);
      s = 2.0 - Math.exp(Math.log(2.5) - 0.5);
    }

    long sample(Rng rng) {
      for (;;) {
        double u = hN + rng.uniform() * (hX1 - hN);
        double x = Math.exp(u);
        double k = Math.floor(x + 0.5);
        k = Math.min(Math.max(k, 1.0), (double) n);
        if (k - x <= s || u >= Math.log(k + 0.5) - 1.0 / k) return (long) k;
      }
    }
  }

  // Density ~ size^-1.5 on [16, 65536], by inversion, from the key's own hash.
  static int valueSize(long key) {
    double u = (double) (Workload.mix64(key ^ 0x73697a65L) >>> 11) * 0x1.0p-53;
    double lo = 1.0 / Math.sqrt(MIN_VALUE_BYTES);
    double hi = 1.0 / Math.sqrt(MAX_VALUE_BYTES);
    double r = lo + u * (hi - lo);
    long size = (long) (1.0 / (r * r));
    return (int) Math.min(Math.max(size, MIN_VALUE_BYTES), MAX_VALUE_BYTES);
  }

  static final class Value {
    final long key;
    final byte[] bytes;

    Value(long key, byte[] bytes) {
      this.key = key;
      this.bytes = bytes;
    }
  }

  // Open-addressing index (linear probing) from key to slot; 0 means empty.
  static final class Index {
    final int[] cells;
    final long mask;

    Index(long capacity) {
      long size = 1;
      while (size < 2 * capacity) size <<= 1;
      cells = new int[(int) size];
      mask = size - 1;
    }

    int find(long key, long[] keys) {
      for (long i = Workload.mix64(key) & mask;; i = (i + 1) & mask) {
        int c = cells[(int) i];
        if (c == 0) return NONE;
        if (keys[c - 1] == key) return c - 1;
      }
    }

    void insert(long key, int slot) {
      long i = Workload.mix64(key) & mask;
      while (cells[(int) i] != 0) i = (i + 1) & mask;
      cells[(int) i] = slot + 1;
    }

    // Backward-shift deletion keeps probe chains intact without tombstones.
    void erase(long key, long[] keys) {
      long i = Workload.mix64(key) & mask;
      while (keys[cells[(int) i] - 1] != key) i = (i + 1) & mask;
      for (long j = (i + 1) & mask; cells[(int) j] != 0; j = (j + 1) & mask) {
        long home = Workload.mix64(keys[cells[(int) j] - 1]) & mask;
        if (((j - home) & mask) >= ((j - i) & mask)) {
          cells[(int) i] = cells[(int) j];
          i = j;
        }
      }
      cells[(int) i] = 0;
    }
  }

  static long digest(Value v) {
    long first = LittleEndian.get(v.bytes, 0);
    long last = LittleEndian.get(v.bytes, v.bytes.length - 8);
    return Workload.mix64(first ^ (last << 1) ^ v.bytes.length);
  }

  // The cache: slots as parallel arrays, the LRU list through prev/next.
  static final class Cache {
    final Value[] values;
    final long[] keys;
    final int[] prev;
    final int[] next;
    int head = NONE;
    int tail = NONE;
    int used = 0;
    long live = 0; // logical bytes, see the header
    long peakLive = 0;
    long evictions = 0;

    Cache(int capacity) {
      values = new Value[capacity];
      keys = new long[capacity];
      prev = new int[capacity];
      next = new int[capacity];
      Arrays.fill(prev, NONE);
      Arrays.fill(next, NONE);
    }

    void unlink(int s) {
      if (prev[s] != NONE) next[prev[s]] = next[s]; else head = next[s];
      if (next[s] != NONE) prev[next[s]] = prev[s]; else tail = prev[s];
    }

    void pushFront(int s) {
      prev[s] = NONE;
      next[s] = head;
      if (head != NONE) prev[head] = s; else tail = s;
      head = s;
    }

    // A miss: the key's value into a free slot, or the least recently used
    // one's (evicted, dropped). Returns the value's size.
    int insert(long key, byte[] pattern, Index index) {
      int s;
      if (used < values.length) {
        s = used++;
      } else {
        s = tail;
        ++evictions;
        unlink(s);
        index.erase(keys[s], keys);
        live -= values[s].bytes.length + ENTRY_BYTES;
        values[s] = null;
      }
      int size = valueSize(key);
      int src = (int) (Workload.mix64(key) & (MAX_VALUE_BYTES - 1));
      Value v = new Value(key, Arrays.copyOfRange(pattern, src, src + size));
      LittleEndian.put(v.bytes, 0, key); // stamp: no two alike
      values[s] = v;
      keys[s] = key;
      index.insert(key, s);
      pushFront(s);
      live += size + ENTRY_BYTES;
      peakLive = Math.max(peakLive, live);
      return size;
    }
  }

  @Override
  public WorkloadInfo info() {
    return INFO;
  }

  @Override
  public WorkloadResult run(RunContext ctx) {
    long capacity = Workload.scaled(ctx.size, 2_000L, 30_000L, 100_000L);
    long ops = Workload.scaled(ctx.size, 200_000L, 1_500_000L, 8_000_000L);
    Zipf1 zipf = new Zipf1(capacity * KEY_SPACE_FACTOR);
    Rng rng = new Rng(ctx.seed ^ 0x6c72752d63616368L);
    // Value contents are windows into this text; built before the measured loop.
    byte[] pattern = new byte[2 * MAX_VALUE_BYTES];
    for (int i = 0; i < pattern.length; ++i) pattern[i] = (byte) Workload.mix64(i);

    Cache c = new Cache((int) capacity);
    Index index = new Index(capacity);
    long hits = 0, misses = 0;
    long h = Workload.mix64(capacity ^ (ops << 20));
    for (long done = 0; done < ops; done += BATCH) {
      long t0 = ctx.unitStart();
      long n = Math.min(BATCH, ops - done);
      for (long op = 0; op < n; ++op) {
        long key = Workload.mix64(zipf.sample(rng)); // hot ranks scattered over keys
        int s = index.find(key, c.keys);
        if (s != NONE) {
          ++hits;
          if (s != c.head) {
            c.unlink(s);
            c.pushFront(s);
          }
          h = Workload.mix64(h ^ digest(c.values[s]));
          continue;
        }
        ++misses;
        int size = c.insert(key, pattern, index);
        h = Workload.mix64(h ^ key ^ ((long) size << 1));
      }
      ctx.unitEnd(t0);
    }
    // Final contents in LRU order, then teardown.
    for (int s = c.head; s != NONE; s = c.next[s]) h = Workload.mix64(h ^ c.keys[s] ^ digest(c.values[s]));
    h = Workload.mix64(h ^ hits ^ (misses << 21) ^ (c.evictions << 42));
    ctx.counters.set("hits", hits);
    ctx.counters.set("misses", misses);
    ctx.counters.set("evictions", c.evictions);
    WorkloadResult r = new WorkloadResult();
    r.checksum = h;
    r.units = (ops + BATCH - 1) / BATCH;
    r.liveBytes = c.peakLive;
    return r;
  }
}
