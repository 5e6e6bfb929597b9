package workloads

// baseline: allocates one small object and drops it (workloads/baseline.cpp).
// Its peak RSS is the Go worker's own footprint: the runtime, its heap
// arenas and the collector's start-up state.

type baselineCell struct{ value uint64 }

// The cell escapes to the heap through this sink, as a make<> would.
var baselineSink *baselineCell

func runBaseline(ctx *RunContext) Result {
	t0 := ctx.UnitStart()
	p := &baselineCell{}
	baselineSink = p
	p.value = 42
	v := p.value
	baselineSink = nil // release: drop the reference
	ctx.UnitEnd(t0)
	return Result{Checksum: Mix64(v), Units: 1, LiveBytes: 8}
}

func init() {
	Register(Workload{Info: Info{
		Name: "baseline", Unit: "run",
		Description: "empty workload: the harness's own footprint per strategy",
		Repeatable:  true, Headline: "footprint",
	}, Run: runBaseline})
}
