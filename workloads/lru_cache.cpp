// lru_cache: a key-value cache (memcached, a CDN edge, a database buffer
// pool) at a fixed capacity of entries, under a skewed key stream: Zipf with
// exponent s = 1 over a key space 20x the capacity, drawn by rejection
// inversion (Hormann & Derflinger), which needs no table and no allocation.
// Each operation is a get-or-insert: a hit moves the entry to the front of
// the LRU list and reads its value; a miss allocates the key's value (its size
// a power law, density ~ size^-1.5 over 16 B - 64 KiB, mean ~1 KiB, fixed per
// key), filled with deterministic bytes, and when the cache is full evicts the
// least recently used entry. Long-lived objects of very different sizes die
// in an order no allocator can predict: fragmentation.
// Unit of latency: a batch of 64 operations (a single hit is tens of
// nanoseconds, as short as reading the clock).
//
// Live bytes: counted exactly, strategy independent: the maximum over time of
// the sum, over live entries, of the value's bytes + 24 B (8 B key, 8 B value
// pointer, 8 B of LRU links). Hash-index and slot arrays are fixed overhead.
//
// Strategy formulations: manual strategies free an evicted value; shared_ptr
// drops the entry's only reference; Boehm drops it. Region strategies (arena,
// pmr-monotonic) cannot free a value that dies alone, so they are given a
// copying semispace of their own kind (two S::Region: ArenaHeaps,
// monotonic_buffer_resources): values are allocated in the current one; when
// the bytes allocated there reach twice the live value bytes (at least
// kMinSemispaceBytes), every live value is copied into the other one (reset
// first: it holds only values that were copied out at the previous flip) and
// the two swap. The copy is done inside the batch that triggers it and is
// counted (region_flips, region_copied_bytes); the space price is up to ~4x
// the live values (each semispace fills to ~2x before a flip). This is a
// copying collector with exact roots, the honest way to run random-lifetime
// data in regions.
#include <algorithm>
#include <cmath>
#include <type_traits>
#include <vector>

#include "workloads/workload.hpp"

namespace mmbench {

namespace lru_cache_detail {

// Zipf(s = 1) over ranks 1..n by rejection inversion: H(x) = ln x is the
// integral of the density 1/x, so inversion is exp(); about one draw per sample.
class Zipf1 {
 public:
  explicit Zipf1(std::uint64_t n) noexcept
      : n_(n),
        h_x1_(std::log(1.5) - 1.0),
        h_n_(std::log(static_cast<double>(n) + 0.5)),
        s_(2.0 - std::exp(std::log(2.5) - 0.5)) {}

  std::uint64_t sample(Rng& rng) const noexcept {
    for (;;) {
      const double u = h_n_ + rng.uniform() * (h_x1_ - h_n_);
      const double x = std::exp(u);
      double k = std::floor(x + 0.5);
      k = std::clamp(k, 1.0, static_cast<double>(n_));
      if (k - x <= s_ || u >= std::log(k + 0.5) - 1.0 / k) return static_cast<std::uint64_t>(k);
    }
  }

 private:
  std::uint64_t n_;
  double h_x1_, h_n_, s_;
};

inline constexpr std::size_t kMinValueBytes = 16;
inline constexpr std::size_t kMaxValueBytes = 64 * 1024;

// Density ~ size^-1.5 on [16, 65536], by inversion, from the key's own hash:
// a key always has the same size.
inline std::size_t value_size(std::uint64_t key) noexcept {
  const double u = static_cast<double>(mix64(key ^ 0x73697a65) >> 11) * 0x1.0p-53;
  const double lo = 1.0 / std::sqrt(static_cast<double>(kMinValueBytes));
  const double hi = 1.0 / std::sqrt(static_cast<double>(kMaxValueBytes));
  const double r = lo + u * (hi - lo);
  const auto size = static_cast<std::size_t>(1.0 / (r * r));
  return std::clamp(size, kMinValueBytes, kMaxValueBytes);
}

}  // namespace lru_cache_detail

template <Strategy S>
struct LruCache {
  static constexpr WorkloadInfo kInfo{
      .name = "lru_cache",
      .unit = "batch of 64 ops",
      .description = "LRU key-value cache, Zipf keys, 16 B-64 KiB values dying in random order",
  };
  static constexpr bool kRegion = S::kReclaim == Reclaim::kRegion;
  static constexpr std::uint64_t kBatch = 64;
  static constexpr std::uint64_t kKeySpaceFactor = 20;
  static constexpr std::uint64_t kEntryBytes = 24;  // logical: key, value pointer, links
  static constexpr std::uint64_t kMinSemispaceBytes = std::uint64_t{1} << 20;
  static constexpr std::uint32_t kNone = UINT32_MAX;

  using Region = RegionOrNone<S>;  // region strategies only: S::Region
  using Bytes =
      std::conditional_t<kRegion, std::vector<char, typename Region::template Allocator<char>>,
                         std::vector<char, typename S::template Allocator<char>>>;
  struct Value {
    std::uint64_t key;
    Bytes bytes;
  };
  using ValuePtr = typename S::template Ptr<Value>;

  struct Slot {
    ValuePtr value{};
    std::uint64_t key = 0;
    std::uint32_t prev = kNone, next = kNone;  // LRU list: head is most recent
  };

  // Open-addressing index (linear probing) from key to slot; 0 means empty.
  class Index {
   public:
    explicit Index(std::size_t capacity) {
      std::size_t size = 1;
      while (size < 2 * capacity) size <<= 1;
      cells_.assign(size, 0);
      mask_ = size - 1;
    }
    template <class Slots>
    std::uint32_t find(std::uint64_t key, const Slots& slots) const noexcept {
      for (std::size_t i = mix64(key) & mask_;; i = (i + 1) & mask_) {
        const std::uint32_t c = cells_[i];
        if (c == 0) return kNone;
        if (slots[c - 1].key == key) return c - 1;
      }
    }
    void insert(std::uint64_t key, std::uint32_t slot) noexcept {
      std::size_t i = mix64(key) & mask_;
      while (cells_[i] != 0) i = (i + 1) & mask_;
      cells_[i] = slot + 1;
    }
    // Backward-shift deletion keeps probe chains intact without tombstones.
    template <class Slots>
    void erase(std::uint64_t key, const Slots& slots) noexcept {
      std::size_t i = mix64(key) & mask_;
      while (slots[cells_[i] - 1].key != key) i = (i + 1) & mask_;
      for (std::size_t j = (i + 1) & mask_; cells_[j] != 0; j = (j + 1) & mask_) {
        const std::size_t home = mix64(slots[cells_[j] - 1].key) & mask_;
        // Move cell j into the hole at i unless its home lies cyclically in (i, j].
        if (((j - home) & mask_) >= ((j - i) & mask_)) {
          cells_[i] = cells_[j];
          i = j;
        }
      }
      cells_[i] = 0;
    }

   private:
    std::vector<std::uint32_t> cells_;  // pointer-free: fine outside the strategy's heap
    std::size_t mask_ = 0;
  };

  static std::uint64_t digest(const Value& v) noexcept {
    std::uint64_t first, last;
    std::memcpy(&first, v.bytes.data(), 8);
    std::memcpy(&last, v.bytes.data() + v.bytes.size() - 8, 8);
    return mix64(first ^ (last << 1) ^ v.bytes.size());
  }

  // The cache through one run: its slots, index and LRU list, its counts, and
  // for region strategies the two semispaces. Built inside the run's scope.
  struct Cache {
    Cache(std::uint64_t capacity, const char* pattern)
        : capacity(capacity), pattern(pattern), slots(capacity), index(capacity) {}

    const std::uint64_t capacity;
    const char* const pattern;  // value contents are windows into this text
    std::vector<Slot, typename S::template Allocator<Slot>> slots;
    Index index;
    std::uint32_t head = kNone, tail = kNone, used = 0;
    std::uint64_t live = 0, peak_live = 0;  // logical bytes, see the header
    std::uint64_t hits = 0, misses = 0, evictions = 0;
    std::uint64_t h = 0;

    Region semispaces[2];  // region strategies only
    int current = 0;
    std::uint64_t semispace_bytes = 0, flips = 0, copied_bytes = 0;

    void unlink(std::uint32_t s) {
      Slot& e = slots[s];
      (e.prev != kNone ? slots[e.prev].next : head) = e.next;
      (e.next != kNone ? slots[e.next].prev : tail) = e.prev;
    }
    void push_front(std::uint32_t s) {
      slots[s].prev = kNone;
      slots[s].next = head;
      (head != kNone ? slots[head].prev : tail) = s;
      head = s;
    }
    ValuePtr make_value(std::uint64_t key, const char* src, std::size_t size) {
      if constexpr (kRegion) {
        Region& space = semispaces[current];
        semispace_bytes += sizeof(Value) + size;
        return ::new (space.allocate(sizeof(Value), alignof(Value)))
            Value{key, Bytes(src, src + size, space.allocator())};
      } else {
        ValuePtr v = S::template make<Value>();
        S::raw(v)->key = key;
        S::raw(v)->bytes.assign(src, src + size);
        return v;
      }
    }
    // Region strategies only: copy every live value into the other semispace and swap.
    void flip() {
      if constexpr (kRegion) {
        current ^= 1;
        semispaces[current].reset();
        semispace_bytes = 0;
        for (std::uint32_t s = head; s != kNone; s = slots[s].next) {
          const Value& old = *S::raw(slots[s].value);
          copied_bytes += old.bytes.size();
          slots[s].value = make_value(old.key, old.bytes.data(), old.bytes.size());
        }
        ++flips;
      }
    }
    // The slot a missed key goes into: a free one, else the evicted tail's.
    std::uint32_t free_slot() {
      if (used < capacity) return used++;
      const std::uint32_t s = tail;
      ++evictions;
      unlink(s);
      index.erase(slots[s].key, slots);
      live -= S::raw(slots[s].value)->bytes.size() + kEntryBytes;
      S::release(slots[s].value);
      return s;
    }
    void insert(std::uint64_t key) {
      ++misses;
      const std::uint32_t s = free_slot();
      const std::size_t size = lru_cache_detail::value_size(key);
      if constexpr (kRegion) {
        if (semispace_bytes >= std::max(kMinSemispaceBytes, 2 * live)) flip();
      }
      const char* src = pattern + (mix64(key) & (lru_cache_detail::kMaxValueBytes - 1));
      slots[s].value = make_value(key, src, size);
      std::memcpy(S::raw(slots[s].value)->bytes.data(), &key, 8);  // stamp: no two alike
      slots[s].key = key;
      index.insert(key, s);
      push_front(s);
      live += size + kEntryBytes;
      peak_live = std::max(peak_live, live);
      h = mix64(h ^ key ^ (size << 1));
    }
    // One get-or-insert.
    void access(std::uint64_t key) {
      const std::uint32_t s = index.find(key, slots);
      if (s == kNone) {
        insert(key);
        return;
      }
      ++hits;
      if (s != head) {
        unlink(s);
        push_front(s);
      }
      h = mix64(h ^ digest(*S::raw(slots[s].value)));
    }
    // Final contents in LRU order, then teardown; returns the checksum.
    std::uint64_t finish() {
      for (std::uint32_t s = head; s != kNone; s = slots[s].next) {
        h = mix64(h ^ slots[s].key ^ digest(*S::raw(slots[s].value)));
      }
      for (auto& slot : slots) S::release(slot.value);
      return mix64(h ^ hits ^ (misses << 21) ^ (evictions << 42));
    }
    void report(Counters& counters) const {
      counters.set("hits", static_cast<double>(hits));
      counters.set("misses", static_cast<double>(misses));
      counters.set("evictions", static_cast<double>(evictions));
      if constexpr (kRegion) {
        counters.set("region_flips", static_cast<double>(flips));
        counters.set("region_copied_bytes", static_cast<double>(copied_bytes));
      }
    }
  };

  static WorkloadResult run(RunContext& ctx) {
    using lru_cache_detail::kMaxValueBytes;
    const std::uint64_t capacity = scaled<std::uint64_t>(ctx.size, 2'000, 30'000, 100'000);
    const std::uint64_t ops = scaled<std::uint64_t>(ctx.size, 200'000, 1'500'000, 8'000'000);
    const lru_cache_detail::Zipf1 zipf(capacity * kKeySpaceFactor);
    Rng rng(ctx.seed ^ 0x6c72752d63616368ULL);

    // Value contents are windows into this text; built before the measured loop.
    std::vector<char> pattern(2 * kMaxValueBytes);
    for (std::size_t i = 0; i < pattern.size(); ++i) pattern[i] = static_cast<char>(mix64(i));

    typename S::Scope run_scope;  // the arena's slot array lives here
    Cache cache(capacity, pattern.data());
    cache.h = mix64(capacity ^ (ops << 20));
    for (std::uint64_t done = 0; done < ops; done += kBatch) {
      const std::int64_t t0 = ctx.unit_start();
      const std::uint64_t n = std::min(kBatch, ops - done);
      for (std::uint64_t op = 0; op < n; ++op) {
        cache.access(mix64(zipf.sample(rng)));  // hot ranks scattered over keys
      }
      ctx.unit_end(t0);
    }
    const std::uint64_t h = cache.finish();
    cache.report(ctx.counters);
    WorkloadResult r;
    r.checksum = h;
    r.units = (ops + kBatch - 1) / kBatch;
    r.live_bytes = cache.peak_live;
    return r;
  }
};

MMBENCH_WORKLOAD(LruCache);

}  // namespace mmbench
