package workloads

// real_time_loop: a fixed-rate loop (workloads/real_time_loop.cpp). Every
// frame builds a scene graph (a tree of entities with parent back edges,
// vertex slices and a flat display list), updates world positions through
// the parent edges, and drops the scene. Frame k is due at t0 + k * 1 ms,
// open loop: an overrun delays every frame queued behind it.
// Unit of latency: one frame. ctx.Latency gets the service time (end -
// actual start), ctx.Corrected the time from the frame's due start.
//
// Live bytes: the largest scene, counted logically as it is built.
//
// Go formulation: parent edges are plain pointers; the scene is dropped
// whole. The loop sleeps with clock_nanosleep (TIMER_ABSTIME) as the C++
// one does, not with time.Sleep, whose timers wake through epoll at
// millisecond granularity.

import "mmbench/benchmarks/go/base"

const (
	rtMaxDepth    = 6
	rtPeriodNs    = 1_000_000
	rtFrame60HzNs = 16_700_000
)

type rtVertex struct{ x, y int32 }

type rtEntity struct {
	id       uint64
	local    [3]int64
	world    [3]int64
	parent   *rtEntity
	children []*rtEntity
	vertices []rtVertex
}

type rtScene struct {
	root    *rtEntity
	display []*rtEntity // flat draw order; the tree owns the entities
	bytes   uint64
}

func rtBuild(scene *rtScene, parent *rtEntity, depth int, budget uint64, rng *Rng) *rtEntity {
	e := &rtEntity{}
	e.id = rng.Next()
	for c := range e.local {
		e.local[c] = int64(rng.Below(2001)) - 1000
	}
	e.parent = parent
	nvertices := rng.Below(33)
	for i := uint64(0); i < nvertices; i++ {
		w := rng.Next()
		e.vertices = append(e.vertices, rtVertex{int32(w), int32(w >> 32)})
	}
	scene.display = append(scene.display, e)
	scene.bytes += 8 + 24 + 24 + 8 + 8 + 8*nvertices
	var nchildren uint64
	if depth < rtMaxDepth {
		nchildren = rng.Below(9)
	}
	for i := uint64(0); i < nchildren && uint64(len(scene.display)) < budget; i++ {
		e.children = append(e.children, rtBuild(scene, e, depth+1, budget, rng))
		scene.bytes += 8
	}
	return e
}

// rtUpdate: world position = parent's world position + local, through the parent edge.
func rtUpdate(scene *rtScene) uint64 {
	var h uint64
	for _, e := range scene.display { // preorder: a parent precedes its children
		for c := 0; c < 3; c++ {
			e.world[c] = e.local[c]
			if e.parent != nil {
				e.world[c] += e.parent.world[c]
			}
		}
		var vsum int64
		for _, v := range e.vertices {
			vsum += int64(v.x)*3 + int64(v.y)
		}
		h = Mix64(h ^ uint64(e.world[0]*7+e.world[1]*3+e.world[2]) ^ uint64(vsum))
	}
	return h
}

func runRealTimeLoop(ctx *RunContext) Result {
	frames := Scaled[uint64](ctx.Size, 100, 2_000, 12_000)
	var r Result
	rng := NewRng(ctx.Seed ^ 0x6672616d65730a0a)
	h := Mix64(frames)
	var miss1ms, miss60hz uint64

	t0 := base.NowNs()
	for k := uint64(0); k < frames; k++ {
		due := t0 + int64(k)*rtPeriodNs
		if base.NowNs() < due {
			base.SleepUntilNs(due)
		}
		start := base.NowNs()
		{
			scene := &rtScene{}
			budget := 100 + rng.Below(901)
			scene.root = rtBuild(scene, nil, 0, budget, &rng)
			h = Mix64(h ^ rtUpdate(scene) ^ (uint64(len(scene.display)) << 40))
			if scene.bytes > r.LiveBytes {
				r.LiveBytes = scene.bytes
			}
		} // the scene is dropped
		end := base.NowNs()
		ctx.Latency.Record(end - start)
		ctx.Corrected.Record(end - due)
		if end-due > rtPeriodNs {
			miss1ms++
		}
		if end-due > rtFrame60HzNs {
			miss60hz++
		}
	}

	ctx.Counters.Set("frames", float64(frames))
	ctx.Counters.Set("deadline_miss_1ms", float64(miss1ms))
	ctx.Counters.Set("deadline_miss_16_7ms", float64(miss60hz))
	r.Units = frames
	r.Checksum = h
	return r
}

func init() {
	Register(Workload{Info: Info{
		Name: "real_time_loop", Unit: "frame",
		Description: "fixed-rate frame loop: a scene graph built and dropped every 1 ms frame",
		OpenLoop:    true, Repeatable: false, Headline: "frame_time",
	}, Run: runRealTimeLoop})
}
