package workloads

// lru_cache: a key-value cache at a fixed capacity of entries under a Zipf
// (s = 1) key stream over a key space 20x the capacity, drawn by rejection
// inversion (workloads/lru_cache.cpp). Each operation is a get-or-insert: a
// hit moves the entry to the front of the LRU list and reads its value; a
// miss allocates the key's value (size ~ size^-1.5 over 16 B - 64 KiB, fixed
// per key), filled with deterministic bytes, evicting the least recently used
// entry when full. Unit of latency: a batch of 64 operations.
//
// Live bytes: the maximum over time of the sum over live entries of the
// value's bytes + 24 B, as the C++ workload counts it.
//
// Go formulation: an evicted value is dropped (its slot overwritten); the
// collector reclaims it. The C++ region strategies' semispace copy has no
// counterpart here.

import (
	"encoding/binary"
	"math"
)

// lruZipf1 is Zipf(s = 1) over ranks 1..n by rejection inversion.
type lruZipf1 struct {
	n           uint64
	hX1, hN, s_ float64
}

func newLruZipf1(n uint64) lruZipf1 {
	return lruZipf1{n: n, hX1: math.Log(1.5) - 1.0, hN: math.Log(float64(n) + 0.5),
		s_: 2.0 - math.Exp(math.Log(2.5)-0.5)}
}

func (z *lruZipf1) sample(rng *Rng) uint64 {
	for {
		u := z.hN + rng.Uniform()*(z.hX1-z.hN)
		x := math.Exp(u)
		k := math.Floor(x + 0.5)
		if k < 1 {
			k = 1
		} else if k > float64(z.n) {
			k = float64(z.n)
		}
		if k-x <= z.s_ || u >= math.Log(k+0.5)-1.0/k {
			return uint64(k)
		}
	}
}

const (
	lruMinValueBytes  = 16
	lruMaxValueBytes  = 64 * 1024
	lruBatch          = 64
	lruKeySpaceFactor = 20
	lruEntryBytes     = 24 // logical: key, value pointer, links
	lruNone           = math.MaxUint32
	lruSizeSaltKey    = 0x73697a65
	lruRngSalt        = 0x6c72752d63616368
)

// lruValueSize: density ~ size^-1.5 on [16, 65536] by inversion, from the
// key's own hash: a key always has the same size.
func lruValueSize(key uint64) uint64 {
	u := float64(Mix64(key^lruSizeSaltKey)>>11) * 0x1.0p-53
	lo := 1.0 / math.Sqrt(lruMinValueBytes)
	hi := 1.0 / math.Sqrt(lruMaxValueBytes)
	r := lo + u*(hi-lo)
	size := uint64(1.0 / (r * r))
	if size < lruMinValueBytes {
		return lruMinValueBytes
	}
	if size > lruMaxValueBytes {
		return lruMaxValueBytes
	}
	return size
}

type lruValue struct {
	key   uint64
	bytes []byte
}

type lruSlot struct {
	value      *lruValue
	key        uint64
	prev, next uint32 // LRU list: head is most recent
}

// lruIndex: open addressing (linear probing) from key to slot; 0 is empty.
type lruIndex struct {
	cells []uint32
	mask  uint64
}

func newLruIndex(capacity uint64) lruIndex {
	size := uint64(1)
	for size < 2*capacity {
		size <<= 1
	}
	return lruIndex{cells: make([]uint32, size), mask: size - 1}
}

func (x *lruIndex) find(key uint64, slots []lruSlot) uint32 {
	for i := Mix64(key) & x.mask; ; i = (i + 1) & x.mask {
		c := x.cells[i]
		if c == 0 {
			return lruNone
		}
		if slots[c-1].key == key {
			return c - 1
		}
	}
}

func (x *lruIndex) insert(key uint64, slot uint32) {
	i := Mix64(key) & x.mask
	for x.cells[i] != 0 {
		i = (i + 1) & x.mask
	}
	x.cells[i] = slot + 1
}

// erase: backward-shift deletion keeps probe chains intact without tombstones.
func (x *lruIndex) erase(key uint64, slots []lruSlot) {
	i := Mix64(key) & x.mask
	for slots[x.cells[i]-1].key != key {
		i = (i + 1) & x.mask
	}
	for j := (i + 1) & x.mask; x.cells[j] != 0; j = (j + 1) & x.mask {
		home := Mix64(slots[x.cells[j]-1].key) & x.mask
		// Move cell j into the hole at i unless its home lies cyclically in (i, j].
		if (j-home)&x.mask >= (j-i)&x.mask {
			x.cells[i] = x.cells[j]
			i = j
		}
	}
	x.cells[i] = 0
}

func lruDigest(v *lruValue) uint64 {
	first := binary.LittleEndian.Uint64(v.bytes)
	last := binary.LittleEndian.Uint64(v.bytes[len(v.bytes)-8:])
	return Mix64(first ^ (last << 1) ^ uint64(len(v.bytes)))
}

// lruCache is the cache's state (the C++ run()'s locals and lambdas).
type lruCache struct {
	slots                                   []lruSlot
	index                                   lruIndex
	head, tail, used                        uint32
	capacity                                uint64
	pattern                                 []byte
	live, peakLive, hits, misses, evictions uint64 // logical bytes, see the header
}

func (c *lruCache) unlink(s uint32) {
	e := &c.slots[s]
	if e.prev != lruNone {
		c.slots[e.prev].next = e.next
	} else {
		c.head = e.next
	}
	if e.next != lruNone {
		c.slots[e.next].prev = e.prev
	} else {
		c.tail = e.prev
	}
}

func (c *lruCache) pushFront(s uint32) {
	c.slots[s].prev = lruNone
	c.slots[s].next = c.head
	if c.head != lruNone {
		c.slots[c.head].prev = s
	} else {
		c.tail = s
	}
	c.head = s
}

// op is one get-or-insert of key; returns the hash chained with what it read.
func (c *lruCache) op(key, h uint64) uint64 {
	s := c.index.find(key, c.slots)
	if s != lruNone {
		c.hits++
		if s != c.head {
			c.unlink(s)
			c.pushFront(s)
		}
		return Mix64(h ^ lruDigest(c.slots[s].value))
	}
	c.misses++
	if uint64(c.used) < c.capacity {
		s = c.used
		c.used++
	} else {
		s = c.tail
		c.evictions++
		c.unlink(s)
		c.index.erase(c.slots[s].key, c.slots)
		c.live -= uint64(len(c.slots[s].value.bytes)) + lruEntryBytes
		c.slots[s].value = nil // dropped
	}
	size := lruValueSize(key)
	src := c.pattern[Mix64(key)&(lruMaxValueBytes-1):]
	v := &lruValue{key: key, bytes: make([]byte, size)}
	copy(v.bytes, src[:size])
	binary.LittleEndian.PutUint64(v.bytes, key) // stamp: no two alike
	c.slots[s].value = v
	c.slots[s].key = key
	c.index.insert(key, s)
	c.pushFront(s)
	c.live += size + lruEntryBytes
	if c.live > c.peakLive {
		c.peakLive = c.live
	}
	return Mix64(h ^ key ^ (size << 1))
}

func runLruCache(ctx *RunContext) Result {
	capacity := Scaled[uint64](ctx.Size, 2_000, 30_000, 100_000)
	ops := Scaled[uint64](ctx.Size, 200_000, 1_500_000, 8_000_000)
	zipf := newLruZipf1(capacity * lruKeySpaceFactor)
	rng := NewRng(ctx.Seed ^ lruRngSalt)

	// Value contents are windows into this text; built before the measured loop.
	pattern := make([]byte, 2*lruMaxValueBytes)
	for i := range pattern {
		pattern[i] = byte(Mix64(uint64(i)))
	}
	c := &lruCache{slots: make([]lruSlot, capacity), index: newLruIndex(capacity),
		head: lruNone, tail: lruNone, capacity: capacity, pattern: pattern}
	h := Mix64(capacity ^ (ops << 20))
	for done := uint64(0); done < ops; done += lruBatch {
		t0 := ctx.UnitStart()
		n := ops - done
		if n > lruBatch {
			n = lruBatch
		}
		for op := uint64(0); op < n; op++ {
			h = c.op(Mix64(zipf.sample(&rng)), h) // hot ranks scattered over keys
		}
		ctx.UnitEnd(t0)
	}

	// Final contents in LRU order, then teardown.
	for s := c.head; s != lruNone; s = c.slots[s].next {
		h = Mix64(h ^ c.slots[s].key ^ lruDigest(c.slots[s].value))
	}
	h = Mix64(h ^ c.hits ^ (c.misses << 21) ^ (c.evictions << 42))

	ctx.Counters.Set("hits", float64(c.hits))
	ctx.Counters.Set("misses", float64(c.misses))
	ctx.Counters.Set("evictions", float64(c.evictions))
	return Result{Checksum: h, Units: (ops + lruBatch - 1) / lruBatch, LiveBytes: c.peakLive}
}

func init() {
	Register(Workload{Info: Info{
		Name: "lru_cache", Unit: "batch of 64 ops",
		Description: "LRU key-value cache, Zipf keys, 16 B-64 KiB values dying in random order",
		Repeatable:  true,
	}, Run: runLruCache})
}
