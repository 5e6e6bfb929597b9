package workloads

// producer_consumer: T producer goroutines allocate messages that T consumer
// goroutines drop (workloads/producer_consumer.cpp): producer i hands
// messages to consumer i through a bounded single-producer single-consumer
// ring of 256 slots, preallocated before the goroutines start. Each message's
// total size (header included) is 32 B * 2^k, k uniform in 0..7; the producer
// fills the payload, the consumer reads all of it, hashes it and drops it.
// Unit of latency: one message's service time (the producer's allocation and
// fill plus the consumer's read and drop, not its wait in the ring),
// recorded per consumer and merged.
//
// Checksum: each consumer chains its own producer's messages in FIFO order;
// the pairs' hashes are combined in pair order.
//
// Live bytes: T * (256 + 2) * 1020 B + the rings' slots (8 B each), as the
// C++ workload counts it.
//
// Go formulation: a message is one pointer-free []uint64 of its total size
// whose first three words are the C++ header (block, produce_ticks,
// seq | bytes << 32), so the collector never scans it; the consumer drops its
// reference (clearing the slot), the collector reclaims it wherever it was
// allocated. The threads are goroutines.

import (
	"runtime"
	"sync"
	"sync/atomic"

	"mmbench/benchmarks/go/base"
)

const (
	pcQueueSlots       = 256 // power of two
	pcSizeClasses      = 8   // 32 B << 0..7
	pcMeanMessageBytes = 1020
	pcHeaderWords      = 3 // block (unused here), produce_ticks, seq | bytes << 32
)

type pcRing struct {
	head  atomic.Uint64 // next slot to read (consumer)
	_     [56]byte
	tail  atomic.Uint64 // next slot to write (producer)
	_     [56]byte
	slots [][]uint64
}

func pcBackoff(spins *int) {
	*spins++
	if *spins >= 64 {
		runtime.Gosched()
	}
}

func pcProduce(ring *pcRing, messages, seed uint64, timed bool) {
	rng := NewRng(seed)
	var tail uint64
	for seq := uint64(0); seq < messages; seq++ {
		var started int64
		if timed {
			started = base.Ticks()
		}
		sizeClass := rng.Below(pcSizeClasses)
		bytes := uint64(32) << sizeClass
		msg := make([]uint64, bytes/8)
		msg[2] = seq&0xffffffff | bytes<<32
		words := msg[pcHeaderWords:]
		b := rng.Next()
		for i := range words {
			words[i] = b + uint64(i)*0x9e3779b97f4a7c15
		}
		if timed {
			msg[1] = uint64(base.Ticks() - started)
		}
		spins := 0
		for tail-ring.head.Load() == pcQueueSlots {
			pcBackoff(&spins)
		}
		ring.slots[tail&(pcQueueSlots-1)] = msg
		tail++
		ring.tail.Store(tail)
	}
}

func pcConsume(ring *pcRing, messages uint64, latency *base.Histogram, timed bool, hashOut *uint64) {
	var h, head uint64
	for received := uint64(0); received < messages; received++ {
		spins := 0
		for ring.tail.Load() == head {
			pcBackoff(&spins)
		}
		var dequeued int64
		if timed {
			dequeued = base.Ticks()
		}
		slot := &ring.slots[head&(pcQueueSlots-1)]
		msg := *slot
		*slot = nil // no stale reference keeps a message alive
		head++
		ring.head.Store(head)

		seq, bytes := msg[2]&0xffffffff, msg[2]>>32
		var sum uint64
		for _, w := range msg[pcHeaderWords:] {
			sum += w ^ (sum >> 7)
		}
		h = Mix64(h ^ sum ^ (bytes << 32) ^ seq)
		produceTicks := int64(msg[1])
		msg = nil // dropped
		if timed {
			latency.Record(base.ToNs(produceTicks + (base.Ticks() - dequeued)))
		}
	}
	*hashOut = h
}

func runProducerConsumer(ctx *RunContext) Result {
	perProducer := Scaled[uint64](ctx.Size, 50_000, 1_500_000, 10_000_000)
	pairs := ctx.Threads
	if pairs < 1 {
		pairs = 1
	}
	// Everything the goroutines touch is allocated here, before they start.
	rings := make([]pcRing, pairs)
	latencies := make([]*base.Histogram, pairs)
	hashes := make([]uint64, pairs)
	for i := range rings {
		rings[i].slots = make([][]uint64, pcQueueSlots)
		latencies[i] = base.NewDefaultHistogram()
	}
	var wg sync.WaitGroup
	for i := 0; i < pairs; i++ {
		wg.Add(2)
		go func(i int) {
			defer wg.Done()
			pcConsume(&rings[i], perProducer, latencies[i], ctx.TimeUnits, &hashes[i])
		}(i)
		go func(i int) {
			defer wg.Done()
			pcProduce(&rings[i], perProducer, Mix64(ctx.Seed^(uint64(i)<<32)), ctx.TimeUnits)
		}(i)
	}
	wg.Wait()

	h := Mix64(perProducer ^ (uint64(pairs) << 48))
	for i := 0; i < pairs; i++ {
		h = Mix64(h ^ hashes[i])
		ctx.Latency.Merge(latencies[i])
	}
	messages := perProducer * uint64(pairs)
	ctx.Counters.Set("messages", float64(messages))
	ctx.Counters.Set("threads", float64(2*pairs))
	return Result{Checksum: h, Units: messages,
		LiveBytes: uint64(pairs) * ((pcQueueSlots+2)*pcMeanMessageBytes + pcQueueSlots*8)}
}

func init() {
	Register(Workload{Info: Info{
		Name: "producer_consumer", Unit: "message",
		Description:   "producer threads allocate messages that consumer threads free (larson)",
		Repeatable:    true,
		Multithreaded: true,
	}, Run: runProducerConsumer})
}
