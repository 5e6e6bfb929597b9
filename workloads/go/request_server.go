package workloads

// request_server: a simulated service (workloads/request_server.cpp). Each
// request parses a document into a transient object graph of mixed sizes
// (nodes, name and text strings grown by appending, attribute and child
// slices), renders a response from it, and reads one entry of a long-lived
// response cache. About 10% of responses are kept in that cache, a FIFO of
// fixed capacity: they outlive their request and die old, when evicted.
// Unit of latency: one request (parse, respond, cache traffic, teardown).
//
// Live bytes: logical data only, counted as the C++ workload counts it.
//
// Go formulation: the document is dropped with its root; the cached entry is
// the request's response object itself, kept; an evicted one is dropped.

import "encoding/binary"

const (
	rsMaxDepth      = 5
	rsMaxNodes      = 160
	rsCachePercent  = 10
	rsMaxTokenBytes = 616 // longest name or text
	rsCorpusBytes   = 8192
)

// rsHashBytes folds the 64-bit words of a byte range into a hash.
func rsHashBytes(p []byte, h uint64) uint64 {
	n := len(p)
	i := 0
	for ; i+8 <= n; i += 8 {
		h = Mix64(h ^ binary.LittleEndian.Uint64(p[i:]))
	}
	tail := uint64(n)
	for ; i < n; i++ {
		tail = (tail << 8) | uint64(p[i])
	}
	return Mix64(h ^ tail)
}

// Document text: deterministic lowercase bytes.
var rsCorpus = func() (text [rsCorpusBytes]byte) {
	for i := range text {
		text[i] = byte('a' + Mix64(uint64(i))%26)
	}
	return text
}()

type rsNode struct {
	id       uint64
	name     []byte
	text     []byte
	attrs    []uint32
	children []*rsNode
}

type rsResponse struct {
	key  uint64
	body []byte
}

type rsDoc struct {
	nodes, bytes uint64 // logical bytes, see the header
}

// rsFill appends 16 bytes at a time from a fixed text, as a parser grows a
// token: the slice reallocates as it goes.
func rsFill(s []byte, n uint64, rng *Rng) []byte {
	src := rsCorpus[rng.Below(rsCorpusBytes-rsMaxTokenBytes):]
	for uint64(len(s)) < n {
		k := n - uint64(len(s))
		if k > 16 {
			k = 16
		}
		s = append(s, src[len(s):uint64(len(s))+k]...)
	}
	return s
}

func rsParse(depth int, rng *Rng, doc *rsDoc) *rsNode {
	n := &rsNode{}
	n.id = rng.Next()
	doc.nodes++
	n.name = rsFill(n.name, 4+rng.Below(44), rng)
	nattrs := rng.Below(13)
	for i := uint64(0); i < nattrs; i++ {
		n.attrs = append(n.attrs, uint32(rng.Next()))
	}
	var nchildren uint64
	if depth < rsMaxDepth {
		nchildren = rng.Below(6)
	}
	if depth == 0 && nchildren == 0 {
		nchildren = 1
	}
	if nchildren == 0 {
		n.text = rsFill(n.text, 16+rng.Below(600), rng)
	}
	doc.bytes += uint64(len(n.name)+len(n.text)) + 4*nattrs + 8*nchildren + 8
	for i := uint64(0); i < nchildren && doc.nodes < rsMaxNodes; i++ {
		n.children = append(n.children, rsParse(depth+1, rng, doc))
	}
	// Edges not taken because the node budget ran out are not counted.
	doc.bytes -= 8 * (nchildren - uint64(len(n.children)))
	return n
}

// rsRender: node names and the head of their text, in preorder, cycling over
// the document until the body has the requested length.
func rsRender(root *rsNode, n int, body []byte) []byte {
	var stack [rsMaxNodes + 1]*rsNode
	for len(body) < n {
		top := 0
		stack[top] = root
		top++
		for top > 0 && len(body) < n {
			top--
			node := stack[top]
			body = append(body, node.name...)
			body = append(body, ':')
			text := node.text
			if len(text) > 32 {
				text = text[:32]
			}
			body = append(body, text...)
			var attrSum uint64
			for _, a := range node.attrs {
				attrSum += uint64(a)
			}
			body = append(body, byte('0'+attrSum%10), ';')
			for i := len(node.children) - 1; i >= 0; i-- {
				stack[top] = node.children[i]
				top++
			}
		}
	}
	return body[:n]
}

func runRequestServer(ctx *RunContext) Result {
	requests := Scaled[uint64](ctx.Size, 1_500, 12_000, 80_000)
	capacity := Scaled[uint64](ctx.Size, 50, 500, 3_000)
	var r Result
	rng := NewRng(ctx.Seed ^ 0x7265717565737431)
	h := Mix64(requests ^ (capacity << 32))

	cache := make([]*rsResponse, capacity)
	var cacheNext, cacheBytes, inserts, evictions uint64
	for q := uint64(0); q < requests; q++ {
		t0 := ctx.UnitStart()
		var doc rsDoc
		root := rsParse(0, &rng, &doc)
		resp := &rsResponse{}
		resp.key = rng.Next()
		resp.body = rsRender(root, int(256+rng.Below(3841)), resp.body)
		body := resp.body
		respBytes := uint64(len(body)) + 8
		if v := cacheBytes + doc.bytes + respBytes; v > r.LiveBytes {
			r.LiveBytes = v
		}
		h = rsHashBytes(body, Mix64(h^doc.nodes^(doc.bytes<<16)))

		// A session lookup: one cached response, old data read back.
		if e := cache[rng.Below(capacity)]; e != nil {
			h = rsHashBytes(e.body, Mix64(h^e.key))
		}

		if rng.Below(100) < rsCachePercent {
			slot := &cache[cacheNext]
			if *slot != nil {
				cacheBytes -= uint64(len((*slot).body)) + 8
				evictions++
			}
			cacheBytes += respBytes
			inserts++
			*slot = resp // the response itself lives on in the cache
			cacheNext = (cacheNext + 1) % capacity
		}
		// The document (and an uncached response) is dropped here.
		ctx.UnitEnd(t0)
	}

	h = Mix64(h ^ inserts ^ (evictions << 32))
	for i, e := range cache {
		if e != nil {
			h = rsHashBytes(e.body, h)
		}
		cache[i] = nil
	}
	ctx.Counters.Set("cache_inserts", float64(inserts))
	ctx.Counters.Set("cache_evictions", float64(evictions))
	r.Units = requests
	r.Checksum = h
	return r
}

func init() {
	Register(Workload{Info: Info{
		Name: "request_server", Unit: "request",
		Description: "service: per-request parse trees, ~10% of responses kept in a FIFO cache",
		Repeatable:  true,
	}, Run: runRequestServer})
}
