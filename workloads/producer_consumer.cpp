// producer_consumer: T producer threads allocate messages that T consumer
// threads free (cross-thread frees, the xmalloc-test / larson pattern).
// T = ctx.threads; producer i hands messages to consumer i through a bounded
// single-producer single-consumer ring of kQueueSlots pointers, preallocated
// before the threads start (the queue itself never allocates). Each producer
// sends a fixed number of messages whose total size (header included) is
// 32 B * 2^k, k uniform in 0..7 (32 B - 4 KiB, mean 1020 B); it fills the
// payload, the consumer reads all of it, hashes it and releases the message.
// Unit of latency: one message's service time: the producer's allocation and
// fill plus the consumer's read and release, without the time it waits in
// the ring (that measures the threads' relative speed, not memory
// management). Pauses that stop a thread mid-service are included. Recorded
// per consumer and merged.
//
// Checksum: each consumer chains the content hashes of its own producer's
// messages in FIFO order; the pairs' hashes are combined in pair order, so no
// thread interleaving can change it.
//
// Live bytes: the steady state when producers outrun consumers: every ring
// full of mean-size messages plus one message in each thread's hands,
// T * (kQueueSlots + 2) * 1020 B, plus the rings' slots (8 B each).
//
// Strategy formulations (see docs/workloads/producer_consumer.md):
//  - malloc families: the consumer frees each message (a remote free).
//  - shared_ptr: the producer moves a shared_ptr into the ring; the consumer
//    moves it out and drops it.
//  - Boehm: the consumer drops it. The ring slots are allocated with
//    gc_allocator and reachable from the main thread's stack, so messages in
//    flight are seen by the collector. Every thread registers (ThreadScope).
//  - arena: a per-thread LIFO region cannot be freed by another thread, so the
//    producer bump-allocates messages in 64 KiB batch blocks of its own (from
//    malloc) and the consumer frees a whole block once it has read the block's
//    last message (known in FIFO order: the next message comes from another
//    block).
#include <atomic>
#include <cstdlib>
#include <memory>
#include <thread>
#include <vector>

#include "workloads/workload.hpp"

namespace mmbench {

template <Strategy S>
struct ProducerConsumer {
  static constexpr WorkloadInfo kInfo{
      .name = "producer_consumer",
      .unit = "message",
      .description = "producer threads allocate messages that consumer threads free (larson)",
      .multithreaded = true,
  };
  static constexpr std::uint64_t kQueueSlots = 256;  // power of two
  static constexpr int kSizeClasses = 8;             // 32 B << 0..7
  static constexpr std::uint64_t kMeanMessageBytes = 1020;
  static constexpr std::size_t kBlockBytes = 64 * 1024;  // arena batch block

  struct Header {
    void* block;                 // arena formulation only: the batch block holding it
    std::int64_t produce_ticks;  // producer's time to allocate and fill it (UnitClock ticks)
    std::uint32_t seq;
    std::uint32_t bytes;  // total size, header included
  };
  static_assert(sizeof(Header) == 24);

  template <std::size_t kBytes>
  struct Message : Header {
    static constexpr bool kPointerFree = true;  // `block` is never a GC pointer
    // Leaves the payload uninitialized: the producer writes every word, and a
    // value-initializing make<> would otherwise zero it first.
    Message() noexcept {}
    std::uint64_t words[(kBytes - sizeof(Header)) / 8];
  };

  using MsgPtr = typename S::template Ptr<Header>;
  using Slots = std::vector<MsgPtr, typename S::template Allocator<MsgPtr>>;

  struct alignas(64) Ring {
    alignas(64) std::atomic<std::uint64_t> head{0};  // next slot to read (consumer)
    alignas(64) std::atomic<std::uint64_t> tail{0};  // next slot to write (producer)
    MsgPtr* slots = nullptr;
  };

  static void backoff(int& spins) {
    if (++spins < 64) {
      __builtin_ia32_pause();
    } else {
      std::this_thread::yield();
    }
  }

  // The arena formulation's batch block: a bump region owned by one producer
  // until handed over, freed whole by the consumer.
  struct BlockCursor {
    char* block = nullptr;
    std::size_t used = kBlockBytes;
  };

  template <std::size_t kBytes>
  static MsgPtr allocate(BlockCursor& cursor) {
    using M = Message<kBytes>;
    if constexpr (S::kReclaim == Reclaim::kRegion) {
      if (cursor.used + sizeof(M) > kBlockBytes) {
        cursor.block = static_cast<char*>(std::malloc(kBlockBytes));
        if (cursor.block == nullptr) throw std::bad_alloc();
        cursor.used = 0;
      }
      M* m = ::new (cursor.block + cursor.used) M();
      cursor.used += sizeof(M);  // multiple of 8, all classes
      m->block = cursor.block;
      return m;
    } else {
      return S::template make<M>();
    }
  }

  static MsgPtr allocate_class(int size_class, BlockCursor& cursor) {
    switch (size_class) {
      case 0:
        return allocate<32>(cursor);
      case 1:
        return allocate<64>(cursor);
      case 2:
        return allocate<128>(cursor);
      case 3:
        return allocate<256>(cursor);
      case 4:
        return allocate<512>(cursor);
      case 5:
        return allocate<1024>(cursor);
      case 6:
        return allocate<2048>(cursor);
      default:
        return allocate<4096>(cursor);
    }
  }

  static void produce(Ring& ring, std::uint64_t messages, std::uint64_t seed, bool timed) {
    typename S::ThreadScope reg;  // first: the GC must know this thread
    Rng rng(seed);
    BlockCursor cursor;
    std::uint64_t tail = 0;
    for (std::uint64_t seq = 0; seq < messages; ++seq) {
      const std::int64_t started = timed ? UnitClock::ticks() : 0;
      const int size_class = static_cast<int>(rng.below(kSizeClasses));
      MsgPtr msg = allocate_class(size_class, cursor);
      Header* h = S::raw(msg);
      h->seq = static_cast<std::uint32_t>(seq);
      h->bytes = std::uint32_t{32} << size_class;
      std::uint64_t* words = reinterpret_cast<std::uint64_t*>(h + 1);
      const std::size_t n_words = (h->bytes - sizeof(Header)) / 8;
      const std::uint64_t base = rng.next();
      for (std::size_t i = 0; i < n_words; ++i) words[i] = base + i * 0x9e3779b97f4a7c15ULL;
      h->produce_ticks = timed ? UnitClock::ticks() - started : 0;
      int spins = 0;
      while (tail - ring.head.load(std::memory_order_acquire) == kQueueSlots) backoff(spins);
      ring.slots[tail & (kQueueSlots - 1)] = std::move(msg);
      ring.tail.store(++tail, std::memory_order_release);
    }
  }

  static void consume(Ring& ring, std::uint64_t messages, Histogram& latency, bool timed,
                      std::uint64_t& hash_out) {
    typename S::ThreadScope reg;  // first: the GC must know this thread
    std::uint64_t h = 0;
    std::uint64_t head = 0;
    void* current_block = nullptr;  // arena formulation
    for (std::uint64_t received = 0; received < messages; ++received) {
      int spins = 0;
      while (ring.tail.load(std::memory_order_acquire) == head) backoff(spins);
      const std::int64_t dequeued = timed ? UnitClock::ticks() : 0;
      MsgPtr& slot = ring.slots[head & (kQueueSlots - 1)];
      MsgPtr msg = std::move(slot);
      slot = MsgPtr{};  // no stale pointer keeps a message alive for the GC
      ring.head.store(++head, std::memory_order_release);

      const Header* m = S::raw(msg);
      const std::uint64_t* words = reinterpret_cast<const std::uint64_t*>(m + 1);
      const std::size_t n_words = (m->bytes - sizeof(Header)) / 8;
      std::uint64_t sum = 0;
      for (std::size_t i = 0; i < n_words; ++i) sum += words[i] ^ (sum >> 7);
      h = mix64(h ^ sum ^ (std::uint64_t{m->bytes} << 32) ^ m->seq);
      const std::int64_t produce_ticks = m->produce_ticks;

      if constexpr (S::kReclaim == Reclaim::kRegion) {
        // FIFO: a message from a new block means the previous block is done.
        if (m->block != current_block) {
          std::free(current_block);
          current_block = m->block;
        }
        msg = nullptr;
      } else {
        S::release(msg);
      }
      if (timed) latency.record(UnitClock::to_ns(produce_ticks + (UnitClock::ticks() - dequeued)));
    }
    if constexpr (S::kReclaim == Reclaim::kRegion) std::free(current_block);
    hash_out = h;
  }

  static WorkloadResult run(RunContext& ctx) {
    const std::uint64_t per_producer =
        scaled<std::uint64_t>(ctx.size, 50'000, 1'500'000, 10'000'000);
    const int pairs = ctx.threads < 1 ? 1 : ctx.threads;
    typename S::Scope scope;

    // Everything the threads touch is allocated here, before they start. The
    // slots live in the strategy's heap, referenced from this (main) thread's
    // stack, so the collector scans the messages in flight.
    Slots slots(static_cast<std::size_t>(pairs) * kQueueSlots);
    std::unique_ptr<Ring[]> rings(new Ring[pairs]);
    std::vector<std::unique_ptr<Histogram>> latencies;
    std::vector<std::uint64_t> hashes(pairs, 0);
    for (int i = 0; i < pairs; ++i) {
      rings[i].slots = slots.data() + static_cast<std::size_t>(i) * kQueueSlots;
      latencies.push_back(std::make_unique<Histogram>());
    }

    std::vector<std::thread> threads;
    threads.reserve(2 * pairs);
    for (int i = 0; i < pairs; ++i) {
      threads.emplace_back(consume, std::ref(rings[i]), per_producer, std::ref(*latencies[i]),
                           ctx.time_units, std::ref(hashes[i]));
      threads.emplace_back(produce, std::ref(rings[i]), per_producer,
                           mix64(ctx.seed ^ (static_cast<std::uint64_t>(i) << 32)), ctx.time_units);
    }
    for (std::thread& t : threads) t.join();

    WorkloadResult r;
    std::uint64_t h = mix64(per_producer ^ (static_cast<std::uint64_t>(pairs) << 48));
    for (int i = 0; i < pairs; ++i) {
      h = mix64(h ^ hashes[i]);
      ctx.latency.merge(*latencies[i]);
    }
    const std::uint64_t messages = per_producer * static_cast<std::uint64_t>(pairs);
    ctx.counters.set("messages", static_cast<double>(messages));
    ctx.counters.set("threads", static_cast<double>(2 * pairs));
    r.checksum = h;
    r.units = messages;
    r.live_bytes = static_cast<std::uint64_t>(pairs) *
                   ((kQueueSlots + 2) * kMeanMessageBytes + kQueueSlots * 8);
    return r;
  }
};

MMBENCH_WORKLOAD(ProducerConsumer);

}  // namespace mmbench
