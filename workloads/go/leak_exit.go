package workloads

// leak_exit: what does forgetting to free cost, and what does freeing
// everything before exit cost? (workloads/leak_exit.cpp)
//
// Phase 1, a long-running loop: each iteration builds a request (a 64 B
// header and 8-16 parts of 256 B), processes it (hashes every part) and
// drops it, except about 1 in 20, which the program "forgets". In Go the
// forgotten request is the managed-language leak: it stays reachable, here
// from a package-level slice (a registry nobody prunes), until the process
// exits, so the collector can never reclaim it. Its last part also holds a
// reference back to the request (the C++ shared_ptr cycle; harmless under
// tracing).
// Unit of latency: a batch of 16 phase-1 iterations.
//
// Phase 2: build a large live list (32 B nodes), hash it, then drop it, as a
// careful program does before exit; `free_all_ns` is that cost (here, one
// reference cleared: the collector's work comes later, if ever).
//
// Live bytes: the phase-2 list, 32 B per node, as the C++ workload counts it.
//
// Counters as in C++: forgotten_requests, forgotten_bytes, leaked_bytes (all
// of the forgotten bytes: they stay reachable), rss_kib_*, phase1_ns,
// phase2_build_ns, free_all_ns. MMBENCH_LEAK_EXIT_CLEANUP=1 empties the
// registry at the very end.

import (
	"os"
	"strconv"
	"strings"

	"mmbench/benchmarks/go/base"
)

const (
	lePartWords    = 30
	leLatencyBatch = 16
	leRequestBytes = 64
	lePartBytes    = 256 // next, owner, 30 words
	leNodeBytes    = 32
	leForgetOneIn  = 20
)

type leRequest struct {
	parts  *lePart
	id     uint64
	nParts uint64
	meta   [5]uint64
}

type lePart struct {
	next  *lePart
	owner *leRequest // set only on a forgotten request's last part
	words [lePartWords]uint64
}

type leNode struct {
	next  *leNode
	words [3]uint64
}

// leForgotten: the requests the program forgot, reachable until exit.
var leForgotten []*leRequest

// leSelfRSSKiB is this process's resident set in KiB (/proc/self/statm).
func leSelfRSSKiB() float64 {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(data))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseFloat(f[1], 64)
	return pages * float64(os.Getpagesize()) / 1024
}

func leBuildRequest(id uint64, rng *Rng) *leRequest {
	r := &leRequest{id: id}
	r.nParts = 8 + rng.Below(9)
	for i := range r.meta {
		r.meta[i] = rng.Next()
	}
	// Prepend: the parts list ends up in reverse build order.
	for i := uint64(0); i < r.nParts; i++ {
		part := &lePart{}
		b := rng.Next()
		for w := 0; w < lePartWords; w++ {
			part.words[w] = b ^ (uint64(w) << 40)
		}
		part.next = r.parts
		r.parts = part
	}
	return r
}

func leProcess(r *leRequest) uint64 {
	h := Mix64(r.id ^ r.meta[0] ^ r.meta[4])
	for p := r.parts; p != nil; p = p.next {
		var sum uint64
		for w := 0; w < lePartWords; w++ {
			sum += p.words[w] ^ (sum >> 9)
		}
		h = Mix64(h ^ sum)
	}
	return h
}

func leLastPart(r *leRequest) *lePart {
	p := r.parts
	for p.next != nil {
		p = p.next
	}
	return p
}

// lePhase1 is the long-running loop; returns the hash and what it forgot.
func lePhase1(ctx *RunContext, iterations uint64, rng *Rng, h uint64) (uint64, uint64, uint64) {
	var forgotten, forgottenBytes uint64
	var t0 int64
	for i := uint64(0); i < iterations; i++ {
		if i%leLatencyBatch == 0 {
			t0 = ctx.UnitStart()
		}
		req := leBuildRequest(i, rng)
		h = Mix64(h ^ leProcess(req))
		if rng.Below(leForgetOneIn) == 0 {
			forgotten++
			forgottenBytes += leRequestBytes + req.nParts*lePartBytes
			leLastPart(req).owner = req
			leForgotten = append(leForgotten, req) // forgotten, and still reachable
		}
		// Otherwise the request is dropped here.
		if i%leLatencyBatch == leLatencyBatch-1 || i+1 == iterations {
			ctx.UnitEnd(t0)
		}
	}
	return h, forgotten, forgottenBytes
}

// lePhase2 builds the large list, hashes it and drops it; returns its hash.
func lePhase2(ctx *RunContext, listNodes uint64, rng *Rng) uint64 {
	t2 := base.NowNs()
	var head *leNode
	for i := uint64(0); i < listNodes; i++ {
		n := &leNode{}
		for w := range n.words {
			n.words[w] = rng.Next()
		}
		n.next = head
		head = n
	}
	ctx.Counters.Set("phase2_build_ns", float64(base.NowNs()-t2))
	var lh uint64
	for n := head; n != nil; n = n.next {
		lh = Mix64(lh ^ n.words[0] ^ n.words[1] ^ n.words[2])
	}
	ctx.Counters.Set("rss_kib_phase2_built", leSelfRSSKiB())
	freeStart := base.NowNs()
	head = nil // the free-all: the list's one reference dropped
	_ = head
	ctx.Counters.Set("free_all_ns", float64(base.NowNs()-freeStart))
	return lh
}

func runLeakExit(ctx *RunContext) Result {
	iterations := Scaled[uint64](ctx.Size, 20_000, 300_000, 2_000_000)
	listNodes := Scaled[uint64](ctx.Size, 100_000, 1_000_000, 4_000_000)
	rng := NewRng(Mix64(ctx.Seed ^ 0x6c65616b5f657869))
	h := Mix64(iterations ^ (listNodes << 24))
	ctx.Counters.Set("rss_kib_start", leSelfRSSKiB())

	phase1Start := base.NowNs()
	h, forgotten, forgottenBytes := lePhase1(ctx, iterations, &rng, h)
	ctx.Counters.Set("phase1_ns", float64(base.NowNs()-phase1Start))
	ctx.Counters.Set("rss_kib_phase1_end", leSelfRSSKiB())

	h = Mix64(h ^ lePhase2(ctx, listNodes, &rng))
	ctx.Counters.Set("rss_kib_end", leSelfRSSKiB())

	if strings.HasPrefix(os.Getenv("MMBENCH_LEAK_EXIT_CLEANUP"), "1") {
		leForgotten = nil
	}
	h = Mix64(h ^ forgotten)
	ctx.Counters.Set("forgotten_requests", float64(forgotten))
	ctx.Counters.Set("forgotten_bytes", float64(forgottenBytes))
	ctx.Counters.Set("leaked_bytes", float64(forgottenBytes))
	return Result{Checksum: h, Units: iterations, LiveBytes: listNodes * leNodeBytes}
}

func init() {
	Register(Workload{Info: Info{
		Name: "leak_exit", Unit: "iteration",
		Description:    "long loop forgetting 1 in 20 requests, then free-all before exit",
		DeliberateLeak: true, // the forgotten requests stay reachable until exit
		Repeatable:     false,
	}, Run: runLeakExit})
}
