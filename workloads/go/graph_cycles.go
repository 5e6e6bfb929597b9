package workloads

// graph_cycles: a mutable graph with cycles, built, rewired and torn down in
// phases (workloads/graph_cycles.cpp). Each phase builds a tree of N nodes
// (each new node hangs under a random earlier one), gives every node K cross
// links to random nodes, then runs R = 2 rewire rounds of N/4 operations:
// half replace a cross link, half move a random subtree under a random new
// parent (rejected when the new parent lies inside the subtree). A traversal
// hashes the graph and the whole graph is dropped. Every node also has a
// parent back-edge, so the graph is full of cycles.
// Unit of latency: one phase (build + rewire + traversal + teardown).
//
// Live bytes: as the C++ workload counts them: 72 B per node, 8 B per child
// edge, per cross link and per node-table entry.
//
// Go formulation: parent links, cross links and the node table are plain
// pointers (a tracing collector needs no weak back edges); teardown drops the
// root and the table.

const (
	graphCrossLinks = 2
	graphNodeBytes  = 72
	graphEdgeBytes  = 8
)

type graphNode struct {
	parent   *graphNode
	children []*graphNode
	cross    []*graphNode
	id       uint64
	value    uint64
}

type graphStats struct {
	moves, rejectedMoves, crossRewires, maxDepth uint64
}

type graphFrame struct {
	n     *graphNode
	depth uint64
}

// graphMoveSubtree moves the subtree rooted at x under newParent unless that
// would make a cycle of ownership (newParent inside x's subtree, or x itself).
func graphMoveSubtree(x, newParent *graphNode) bool {
	for a := newParent; a != nil; a = a.parent {
		if a == x {
			return false
		}
	}
	oldParent := x.parent
	if oldParent == newParent {
		return false
	}
	siblings := oldParent.children
	it := 0
	for siblings[it] != x {
		it++
	}
	last := len(siblings) - 1
	siblings[it] = siblings[last]
	siblings[last] = nil
	oldParent.children = siblings[:last]
	newParent.children = append(newParent.children, x)
	x.parent = newParent
	return true
}

// graphHash: depth-first, children in slice order; hashes ids, parent ids,
// cross targets.
func graphHash(root *graphNode, stack []graphFrame, stats *graphStats) (uint64, []graphFrame) {
	var h uint64
	stack = append(stack[:0], graphFrame{root, 0})
	for len(stack) > 0 {
		f := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n, depth := f.n, f.depth
		if depth > stats.maxDepth {
			stats.maxDepth = depth
		}
		var parentID uint64
		if n.parent != nil {
			parentID = n.parent.id << 20
		}
		h = Mix64(h ^ n.id ^ (depth << 32))
		h = Mix64(h ^ n.value ^ parentID)
		for _, c := range n.cross {
			h = Mix64(h ^ c.id)
		}
		for _, c := range n.children {
			stack = append(stack, graphFrame{c, depth + 1})
		}
	}
	return h, stack
}

func graphRunPhase(nNodes uint64, rounds int, rng *Rng, stack []graphFrame,
	stats *graphStats) (uint64, []graphFrame) {
	// The node table: how the program names nodes (random picks).
	table := make([]*graphNode, 0, nNodes)
	root := &graphNode{}
	root.value = rng.Next()
	table = append(table, root)
	for i := uint64(1); i < nNodes; i++ {
		node := &graphNode{id: i}
		node.value = rng.Next()
		p := rng.Below(i)
		node.parent = table[p]
		table = append(table, node)
		table[p].children = append(table[p].children, node)
	}
	for i := uint64(0); i < nNodes; i++ {
		node := table[i]
		node.cross = make([]*graphNode, 0, graphCrossLinks)
		for k := 0; k < graphCrossLinks; k++ {
			node.cross = append(node.cross, table[rng.Below(nNodes)])
		}
	}

	for round := 0; round < rounds; round++ {
		for op := uint64(0); op < nNodes/4; op++ {
			a := rng.Below(nNodes)
			b := rng.Below(nNodes)
			if op%2 == 0 {
				table[a].cross[rng.Below(graphCrossLinks)] = table[b]
				stats.crossRewires++
			} else if a != 0 && graphMoveSubtree(table[a], table[b]) {
				stats.moves++
			} else {
				stats.rejectedMoves++
			}
		}
	}
	// Teardown: the root and the table are dropped when this returns.
	return graphHash(root, stack, stats)
}

func runGraphCycles(ctx *RunContext) Result {
	nNodes := Scaled[uint64](ctx.Size, 5_000, 10_000, 20_000)
	phases := Scaled(ctx.Size, 30, 250, 1000)
	const rounds = 2
	rng := NewRng(Mix64(ctx.Seed ^ 0x67726170685f6379))
	// Traversal scratch: reused across phases so it is not part of the work.
	stack := make([]graphFrame, 0, nNodes)
	var stats graphStats
	var r Result
	h := Mix64(nNodes)
	for phase := 0; phase < phases; phase++ {
		t0 := ctx.UnitStart()
		var ph uint64
		ph, stack = graphRunPhase(nNodes, rounds, &rng, stack, &stats)
		h = Mix64(h ^ ph)
		ctx.UnitEnd(t0)
		r.Units++
	}
	ctx.Counters.Set("nodes_per_phase", float64(nNodes))
	ctx.Counters.Set("moves", float64(stats.moves))
	ctx.Counters.Set("rejected_moves", float64(stats.rejectedMoves))
	ctx.Counters.Set("cross_rewires", float64(stats.crossRewires))
	ctx.Counters.Set("max_depth", float64(stats.maxDepth))
	r.Checksum = h
	r.LiveBytes = nNodes*graphNodeBytes + (nNodes-1)*graphEdgeBytes +
		nNodes*graphCrossLinks*graphEdgeBytes + nNodes*graphEdgeBytes
	return r
}

func init() {
	Register(Workload{Info: Info{
		Name: "graph_cycles", Unit: "phase",
		Description: "mutable graph with parent back-edges and cross links, rewired then dropped",
		Repeatable:  true,
	}, Run: runGraphCycles})
}
