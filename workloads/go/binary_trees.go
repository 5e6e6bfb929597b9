package workloads

// binary_trees: the GCBench / binary-trees shape (workloads/binary_trees.cpp).
// A stretch tree of depth max+1 is built and dropped, a long-lived tree of
// depth max is kept for the whole run, then short-lived trees of depths 4, 6,
// ... max are built, checked and dropped, 2^(max - d + 4) of each depth.
// Unit of latency: one short-lived tree built, checked and dropped.
//
// Live bytes: the logical data at its peak, 16 B (two pointers) per node,
// as the C++ workload counts it.
//
// Go formulation: a tree is dropped by dropping its root (as for Boehm); the
// collector reclaims it.

const (
	btMinDepth  = 4
	btNodeBytes = 16
)

type btNode struct {
	left, right *btNode
}

func btBuild(depth int) *btNode {
	n := &btNode{}
	if depth > 0 {
		n.left = btBuild(depth - 1)
		n.right = btBuild(depth - 1)
	}
	return n
}

func btCheck(n *btNode) uint64 {
	count := uint64(1)
	if n.left != nil {
		count += btCheck(n.left)
	}
	if n.right != nil {
		count += btCheck(n.right)
	}
	return count
}

func btNodes(depth int) uint64 { return (uint64(1) << (depth + 1)) - 1 }

func runBinaryTrees(ctx *RunContext) Result {
	maxDepth := Scaled(ctx.Size, 10, 16, 20)
	var r Result
	h := Mix64(uint64(maxDepth))
	{
		stretch := btBuild(maxDepth + 1)
		h = Mix64(h ^ btCheck(stretch))
	}
	longLived := btBuild(maxDepth)
	for d := btMinDepth; d <= maxDepth; d += 2 {
		iterations := uint64(1) << (maxDepth - d + btMinDepth)
		var total uint64
		for i := uint64(0); i < iterations; i++ {
			t0 := ctx.UnitStart()
			t := btBuild(d)
			total += btCheck(t)
			ctx.UnitEnd(t0)
		}
		r.Units += iterations
		h = Mix64(h ^ Mix64(uint64(d)^(total<<8)))
	}
	h = Mix64(h ^ btCheck(longLived))
	r.Checksum = h
	live := btNodes(maxDepth) + btNodes(maxDepth)
	if s := btNodes(maxDepth + 1); s > live {
		live = s
	}
	r.LiveBytes = live * btNodeBytes
	return r
}

func init() {
	Register(Workload{Info: Info{
		Name: "binary_trees", Unit: "tree",
		Description: "GCBench/binary-trees: many short-lived trees beside a long-lived one",
		Repeatable:  true,
	}, Run: runBinaryTrees})
}
