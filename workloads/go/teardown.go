package workloads

// teardown: the cost of dropping one very large structure at once
// (workloads/teardown.cpp). Each repetition builds a singly linked list and
// a complete binary tree of small nodes, uses them (a checksum traversal),
// then drops both. Unit of latency: one drop (list + tree); build and use
// times go to counters (build_ns, use_ns, drop_ns_total).
//
// Live bytes: one repetition's list and tree as logical data, 16 B per list
// node and 24 B per tree node.
//
// Go formulation: the drop is clearing two roots, as for Boehm; the deferred
// cost shows as collections during the next repetition's build, inside the
// run. Nothing is forced.

import "mmbench/benchmarks/go/base"

const (
	tdListNodeBytes = 16
	tdTreeNodeBytes = 24
)

type tdListNode struct {
	next  *tdListNode
	value uint64
}

type tdTreeNode struct {
	left, right *tdTreeNode
	value       uint64
}

// tdBuildList: front to back through a tail pointer, so list order is value order.
func tdBuildList(n uint64, rng *Rng) *tdListNode {
	var head, tail *tdListNode
	for i := uint64(0); i < n; i++ {
		node := &tdListNode{value: rng.Next()}
		if tail == nil {
			head = node
		} else {
			tail.next = node
		}
		tail = node
	}
	return head
}

func tdBuildTree(depth int, rng *Rng) *tdTreeNode {
	n := &tdTreeNode{value: rng.Next()}
	if depth > 0 {
		n.left = tdBuildTree(depth-1, rng)
		n.right = tdBuildTree(depth-1, rng)
	}
	return n
}

func tdHashList(n *tdListNode) uint64 {
	var h uint64
	for ; n != nil; n = n.next {
		h = Mix64(h ^ n.value)
	}
	return h
}

// tdHashTree: pre-order, order-sensitive.
func tdHashTree(n *tdTreeNode, h uint64) uint64 {
	h = Mix64(h ^ n.value)
	if n.left != nil {
		h = tdHashTree(n.left, h)
	}
	if n.right != nil {
		h = tdHashTree(n.right, h)
	}
	return h
}

func runTeardown(ctx *RunContext) Result {
	listNodes := Scaled[uint64](ctx.Size, 200_000, 2_000_000, 4_000_000)
	treeDepth := Scaled(ctx.Size, 16, 19, 20) // 2^(d+1)-1 nodes
	reps := Scaled(ctx.Size, 3, 6, 24)
	treeNodes := (uint64(1) << (treeDepth + 1)) - 1

	var r Result
	h := Mix64(listNodes ^ (treeNodes << 32))
	var buildNs, useNs, dropNsTotal int64
	for rep := 0; rep < reps; rep++ {
		rng := NewRng(Mix64(ctx.Seed ^ (uint64(rep) << 40)))
		t0 := base.NowNs()
		list := tdBuildList(listNodes, &rng)
		tree := tdBuildTree(treeDepth, &rng)
		t1 := base.NowNs()
		h = Mix64(h ^ tdHashList(list))
		h = tdHashTree(tree, h)
		t2 := base.NowNs()
		buildNs += t1 - t0
		useNs += t2 - t1
		dropStart := base.NowNs()
		list, tree = nil, nil // the drop: two roots cleared
		_, _ = list, tree
		dropNs := base.NowNs() - dropStart
		ctx.RecordUnitNs(dropNs)
		dropNsTotal += dropNs
		r.Units++
	}
	ctx.Counters.Set("build_ns", float64(buildNs))
	ctx.Counters.Set("use_ns", float64(useNs))
	ctx.Counters.Set("drop_ns_total", float64(dropNsTotal))
	ctx.Counters.Set("list_nodes", float64(listNodes))
	ctx.Counters.Set("tree_nodes", float64(treeNodes))
	r.Checksum = h
	r.LiveBytes = listNodes*tdListNodeBytes + treeNodes*tdTreeNodeBytes
	return r
}

func init() {
	Register(Workload{Info: Info{
		Name: "teardown", Unit: "drop",
		Description: "build a multi-million-node list and tree, use them, drop them at once",
		Repeatable:  true,
	}, Run: runTeardown})
}
