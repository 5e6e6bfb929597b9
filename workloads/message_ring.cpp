// message_ring: the gc-latency-experiment workload. A ring of N slots; each
// push allocates a 1 KiB message, fills it with deterministic bytes, stores it
// in slot (i mod N) and drops the message that was there. Every message lives
// exactly N pushes, so the live set is a constant N KiB that turns over
// completely every N pushes: a large old generation for a tracing collector,
// and a steady alloc/free of one size class for malloc.
// Unit of latency: one push (allocate, fill, store, drop the old message). The
// figure people quote is the worst push.
//
// Live bytes: N messages of 1 KiB each (sizeof(Message)) at once, from push N
// on; computed, strategy independent. The slot array (8 B per slot) is not
// counted.
//
// Strategy formulations: manual strategies free the dropped message;
// shared_ptr drops the slot's reference by overwriting it; Boehm overwrites it.
// Region strategies (arena, pmr-monotonic) cannot free the oldest message
// alone, and their scopes nest as a stack (LIFO), which cannot free the oldest
// block first either. So the workload keeps a FIFO of regions of its own, of
// the strategy's own kind (S::Region: ArenaHeap, monotonic_buffer_resource): pushes are
// split into blocks of ceil(N / kArenaBlocks); block b's messages go into
// region b mod (kArenaBlocks + 1). The last message of block b is dropped at
// the last push of block b + kArenaBlocks, so when block b + kArenaBlocks + 1
// starts, its region holds only dropped messages and is reset wholesale, at
// the cost of that one push. Nothing is copied; the price is holding up to
// (kArenaBlocks + 1) / kArenaBlocks of the live data.
#include <algorithm>
#include <array>
#include <type_traits>
#include <vector>

#include "workloads/workload.hpp"

namespace mmbench {

namespace message_ring_detail {

inline constexpr std::size_t kPatternBytes = 4096;
// Message payloads are windows into this deterministic text, made at compile time.
inline constexpr std::array<char, kPatternBytes> kPattern = [] {
  std::array<char, kPatternBytes> text{};
  for (std::size_t i = 0; i < kPatternBytes; ++i) text[i] = static_cast<char>(mix64(i ^ 0x5a5a));
  return text;
}();

}  // namespace message_ring_detail

template <Strategy S>
struct MessageRing {
  static constexpr WorkloadInfo kInfo{
      .name = "message_ring",
      .unit = "push",
      .description = "gc-latency-experiment: ring of N 1 KiB messages, each push drops the oldest",
  };
  static constexpr bool kRegion = S::kReclaim == Reclaim::kRegion;
  static constexpr std::size_t kMessageBytes = 1024;
  static constexpr std::uint64_t kArenaBlocks = 8;

  struct Message {
    static constexpr bool kPointerFree = true;  // Boehm: GC_MALLOC_ATOMIC, never scanned
    std::uint64_t seq;
    char payload[kMessageBytes - sizeof(std::uint64_t)];
  };
  static_assert(sizeof(Message) == kMessageBytes);
  using MessagePtr = typename S::template Ptr<Message>;
  using Region = RegionOrNone<S>;  // region strategies only: S::Region

  static void fill(Message& m, std::uint64_t seq, Rng& rng) {
    using message_ring_detail::kPattern;
    m.seq = seq;
    const std::size_t offset = rng.below(kPattern.size() - sizeof(m.payload));
    std::memcpy(m.payload, kPattern.data() + offset, sizeof(m.payload));
    // Stamp the sequence number in, so no two messages are byte-identical.
    std::memcpy(m.payload + (seq % (sizeof(m.payload) - 8)), &seq, sizeof seq);
  }

  // What a consumer reads from a message: a few words, not every byte.
  static std::uint64_t digest(const Message& m) noexcept {
    std::uint64_t first, last;
    std::memcpy(&first, m.payload, 8);
    std::memcpy(&last, m.payload + sizeof(m.payload) - 8, 8);
    return mix64(m.seq ^ first ^ (last << 1));
  }

  static WorkloadResult run(RunContext& ctx) {
    const std::uint64_t slots = scaled<std::uint64_t>(ctx.size, 20'000, 200'000, 400'000);
    const std::uint64_t pushes = scaled<std::uint64_t>(ctx.size, 100'000, 1'000'000, 6'000'000);
    const std::uint64_t block = (slots + kArenaBlocks - 1) / kArenaBlocks;
    Rng rng(ctx.seed ^ 0x6d73672d72696e67ULL);
    std::uint64_t h = mix64(slots ^ (pushes << 24));

    typename S::Scope run_scope;  // the arena's slot array lives here
    std::vector<MessagePtr, typename S::template Allocator<MessagePtr>> ring(slots);
    std::array<Region, kArenaBlocks + 1> regions;  // region strategies only
    Region* region = nullptr;

    for (std::uint64_t i = 0; i < pushes; ++i) {
      const std::int64_t t0 = ctx.unit_start();
      MessagePtr& slot = ring[i % slots];
      if (slot) {
        h = mix64(h ^ digest(*S::raw(slot)));
        S::release(slot);
      }
      MessagePtr m;
      if constexpr (kRegion) {
        if (i % block == 0) {
          // This region last held block i / block - (kArenaBlocks + 1): all dropped.
          region = &regions[(i / block) % (kArenaBlocks + 1)];
          region->reset();
        }
        m = ::new (region->allocate(sizeof(Message), alignof(Message))) Message;
      } else {
        m = S::template make<Message>();
      }
      fill(*S::raw(m), i, rng);
      slot = std::move(m);
      ctx.unit_end(t0);
    }

    for (auto& slot : ring) {
      if (slot) {
        const Message& m = *S::raw(slot);
        h = mix64(h ^ digest(m));
        for (std::size_t k = 0; k + 8 <= sizeof(m.payload); k += 8) {
          std::uint64_t w;
          std::memcpy(&w, m.payload + k, 8);
          h = mix64(h ^ w);
        }
      }
      S::release(slot);
    }
    (void)region;
    WorkloadResult r;
    r.checksum = h;
    r.units = pushes;
    r.live_bytes = std::min(slots, pushes) * sizeof(Message);
    return r;
  }
};

MMBENCH_WORKLOAD(MessageRing);

}  // namespace mmbench
