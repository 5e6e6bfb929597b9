package workloads

// message_ring: the gc-latency-experiment workload
// (workloads/message_ring.cpp). A ring of N slots; each push allocates a
// 1 KiB message, fills it with deterministic bytes, stores it in slot
// (i mod N) and drops the message that was there. Every message lives
// exactly N pushes, so the live set is a constant N KiB that turns over
// completely every N pushes.
// Unit of latency: one push. The figure people quote is the worst push.
//
// Live bytes: N messages of 1 KiB at once, from push N on.
//
// Go formulation: the slot is overwritten (the old message dropped). A
// message holds no pointer, so the collector never scans it (Boehm's
// GC_MALLOC_ATOMIC).

import "encoding/binary"

const (
	mrPatternBytes = 4096
	mrMessageBytes = 1024
	mrPayloadBytes = mrMessageBytes - 8
)

// Message payloads are windows into this deterministic text.
var mrPattern = func() (text [mrPatternBytes]byte) {
	for i := range text {
		text[i] = byte(Mix64(uint64(i) ^ 0x5a5a))
	}
	return text
}()

type mrMessage struct {
	seq     uint64
	payload [mrPayloadBytes]byte
}

func mrFill(m *mrMessage, seq uint64, rng *Rng) {
	m.seq = seq
	offset := rng.Below(mrPatternBytes - mrPayloadBytes)
	copy(m.payload[:], mrPattern[offset:offset+mrPayloadBytes])
	// Stamp the sequence number in, so no two messages are byte-identical.
	binary.LittleEndian.PutUint64(m.payload[seq%(mrPayloadBytes-8):], seq)
}

// mrDigest: what a consumer reads from a message, a few words.
func mrDigest(m *mrMessage) uint64 {
	first := binary.LittleEndian.Uint64(m.payload[:8])
	last := binary.LittleEndian.Uint64(m.payload[mrPayloadBytes-8:])
	return Mix64(m.seq ^ first ^ (last << 1))
}

func runMessageRing(ctx *RunContext) Result {
	slots := Scaled[uint64](ctx.Size, 20_000, 200_000, 400_000)
	pushes := Scaled[uint64](ctx.Size, 100_000, 1_000_000, 6_000_000)
	rng := NewRng(ctx.Seed ^ 0x6d73672d72696e67)
	h := Mix64(slots ^ (pushes << 24))

	ring := make([]*mrMessage, slots)
	for i := uint64(0); i < pushes; i++ {
		t0 := ctx.UnitStart()
		slot := &ring[i%slots]
		if *slot != nil {
			h = Mix64(h ^ mrDigest(*slot))
			*slot = nil
		}
		m := new(mrMessage)
		mrFill(m, i, &rng)
		*slot = m
		ctx.UnitEnd(t0)
	}

	for i, m := range ring {
		if m != nil {
			h = Mix64(h ^ mrDigest(m))
			for k := 0; k+8 <= mrPayloadBytes; k += 8 {
				h = Mix64(h ^ binary.LittleEndian.Uint64(m.payload[k:]))
			}
		}
		ring[i] = nil
	}
	live := slots
	if pushes < live {
		live = pushes
	}
	return Result{Checksum: h, Units: pushes, LiveBytes: live * mrMessageBytes}
}

func init() {
	Register(Workload{Info: Info{
		Name: "message_ring", Unit: "push",
		Description: "gc-latency-experiment: ring of N 1 KiB messages, each push drops the oldest",
		Repeatable:  true,
	}, Run: runMessageRing})
}
