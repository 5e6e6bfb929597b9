// request_server: a simulated service. Each request parses a document into a
// transient object graph of mixed sizes (nodes, name and text strings grown by
// appending, attribute and child vectors), renders a response string from it,
// and reads one entry of a long-lived response cache. About 10% of responses
// are kept in that cache, a FIFO of fixed capacity: they outlive their request
// and die old, when the cache evicts them.
// Unit of latency: one request (parse, respond, cache traffic, teardown).
//
// Live bytes: logical data only, counted as the run goes (strategy
// independent): per node its name and text bytes, 4 B per attribute, 8 B per
// child edge and 8 B of id; per response its body bytes and 8 B of key. The
// figure is the maximum over requests of (cache contents before the request +
// that request's document + its response).
//
// Strategy formulations: manual strategies (and boehm-free, with GC_FREE) free
// the document node by node and free evicted cache entries; shared_ptr drops the document's root (a
// cascade of depth <= kMaxDepth) and the evicted entry; Boehm drops everything. For all of them the
// cached entry *is* the request's response object, kept. Region strategies (arena, pmr-monotonic)
// give each request a region (S::Scope) and cannot keep anything allocated there, so a cached
// response is copied out into a cache region of the strategy's own kind (S::Region: an ArenaHeap, a
// monotonic_buffer_resource). The cache has two such regions (generations):
// entries go into the current one; after `capacity` insertions the FIFO has
// evicted everything in the other one, which is then reset wholesale and
// becomes current. This is exact (nothing live is ever reset), costs the copy,
// and holds up to twice the cache's live data: both are the regions' real price.
#include <algorithm>
#include <array>
#include <string>
#include <type_traits>
#include <vector>

#include "workloads/workload.hpp"

namespace mmbench {

namespace request_server_detail {

// 64-bit words of a byte range folded into a hash: the checksum depends on
// the bytes built, never on where they live.
inline std::uint64_t hash_bytes(const char* p, std::size_t n, std::uint64_t h) noexcept {
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, p + i, 8);
    h = mix64(h ^ w);
  }
  std::uint64_t tail = n;
  for (; i < n; ++i) tail = (tail << 8) | static_cast<unsigned char>(p[i]);
  return mix64(h ^ tail);
}

inline constexpr std::size_t kCorpusBytes = 8192;
// Document text: deterministic lowercase bytes, made at compile time.
inline constexpr std::array<char, kCorpusBytes> kCorpus = [] {
  std::array<char, kCorpusBytes> text{};
  for (std::size_t i = 0; i < kCorpusBytes; ++i) {
    text[i] = static_cast<char>('a' + (mix64(i) % 26));
  }
  return text;
}();

}  // namespace request_server_detail

template <Strategy S>
struct RequestServer {
  static constexpr WorkloadInfo kInfo{
      .name = "request_server",
      .unit = "request",
      .description = "service: per-request parse trees, ~10% of responses kept in a FIFO cache",
  };
  static constexpr bool kRegion = S::kReclaim == Reclaim::kRegion;
  static constexpr int kMaxDepth = 5;
  static constexpr int kMaxNodes = 160;
  static constexpr std::uint64_t kCachePercent = 10;
  static constexpr std::size_t kMaxTokenBytes = 616;  // longest name or text

  template <class T>
  using Alloc = typename S::template Allocator<T>;
  using Str = std::basic_string<char, std::char_traits<char>, Alloc<char>>;
  template <class T>
  using Vec = std::vector<T, Alloc<T>>;

  struct Node;
  using NodePtr = typename S::template Ptr<Node>;
  struct Node {
    std::uint64_t id = 0;
    Str name;
    Str text;
    Vec<std::uint32_t> attrs;
    Vec<NodePtr> children;
  };

  struct Response {
    std::uint64_t key = 0;
    Str body;
  };

  using Region = RegionOrNone<S>;  // region strategies only: S::Region
  struct CopiedResponse {
    std::uint64_t key;
    std::basic_string<char, std::char_traits<char>, typename Region::template Allocator<char>> body;
  };
  using CacheEntry = std::conditional_t<kRegion, CopiedResponse, Response>;
  using EntryPtr = typename S::template Ptr<CacheEntry>;

  struct Doc {
    std::uint64_t nodes = 0;
    std::uint64_t bytes = 0;  // logical bytes, see the header
  };

  // Appended 16 bytes at a time from a fixed text, as a parser grows a token:
  // the string reallocates as it goes.
  static void fill(Str& s, std::size_t len, Rng& rng) {
    using request_server_detail::kCorpus;
    const char* src = kCorpus.data() + rng.below(kCorpus.size() - kMaxTokenBytes);
    while (s.size() < len) s.append(src + s.size(), std::min<std::size_t>(16, len - s.size()));
  }

  static NodePtr parse(int depth, Rng& rng, Doc& doc) {
    NodePtr p = S::template make<Node>();
    Node* n = S::raw(p);
    n->id = rng.next();
    ++doc.nodes;
    fill(n->name, 4 + rng.below(44), rng);
    const std::size_t nattrs = rng.below(13);
    for (std::size_t i = 0; i < nattrs; ++i)
      n->attrs.push_back(static_cast<std::uint32_t>(rng.next()));
    std::size_t nchildren = depth < kMaxDepth ? rng.below(6) : 0;
    if (depth == 0 && nchildren == 0) nchildren = 1;
    if (nchildren == 0) fill(n->text, 16 + rng.below(600), rng);
    doc.bytes += n->name.size() + n->text.size() + 4 * nattrs + 8 * nchildren + 8;
    for (std::size_t i = 0; i < nchildren && doc.nodes < kMaxNodes; ++i) {
      n->children.push_back(parse(depth + 1, rng, doc));
    }
    // Edges not taken because the node budget ran out are not counted.
    doc.bytes -= 8 * (nchildren - n->children.size());
    return p;
  }

  static void drop(NodePtr& p) {
    if constexpr (kFreesEachObject<S>) {
      if (!p) return;
      for (auto& c : S::raw(p)->children) drop(c);
    }
    S::release(p);
  }

  // Renders the response: node names and the head of their text, in preorder,
  // cycling over the document until the body has the requested length.
  static void render(const Node* root, std::size_t len, Str& body) {
    const Node* stack[kMaxNodes + 1];
    while (body.size() < len) {
      int top = 0;
      stack[top++] = root;
      while (top > 0 && body.size() < len) {
        const Node* n = stack[--top];
        body.append(n->name);
        body.push_back(':');
        body.append(n->text.data(), std::min<std::size_t>(n->text.size(), 32));
        std::uint64_t attr_sum = 0;
        for (auto a : n->attrs) attr_sum += a;
        const char digits[2] = {static_cast<char>('0' + attr_sum % 10), ';'};
        body.append(digits, 2);
        for (auto it = n->children.rbegin(); it != n->children.rend(); ++it) {
          stack[top++] = S::raw(*it);
        }
      }
    }
    body.resize(len);
  }

  // The long-lived response cache: a FIFO of `capacity` entries, with, for
  // region strategies, its two generations (see the header).
  struct ResponseCache {
    explicit ResponseCache(std::size_t capacity) : capacity(capacity), entries(capacity) {}

    const std::size_t capacity;
    Vec<EntryPtr> entries;
    std::size_t next = 0;     // FIFO position of the next insertion
    std::uint64_t bytes = 0;  // logical bytes in the cache
    std::uint64_t inserts = 0, evictions = 0;
    Region generations[2];  // used by region strategies only
    int current_gen = 0;
    std::uint64_t gen_inserts = 0;

    // Keeps the response (region strategies: a copy of it), evicting the oldest entry.
    void insert(typename S::template Ptr<Response>& resp, std::uint64_t resp_bytes) {
      EntryPtr& slot = entries[next];
      if (slot) {
        bytes -= S::raw(slot)->body.size() + 8;
        S::release(slot);
        ++evictions;
      }
      bytes += resp_bytes;
      ++inserts;
      if constexpr (kRegion) {
        if (gen_inserts == capacity) {
          // Everything in the other generation was inserted >= capacity
          // insertions ago: the FIFO has evicted all of it.
          current_gen ^= 1;
          generations[current_gen].reset();
          gen_inserts = 0;
        }
        Region& gen = generations[current_gen];
        const Str& body = S::raw(resp)->body;
        slot = ::new (gen.allocate(sizeof(CacheEntry), alignof(CacheEntry)))
            CacheEntry{S::raw(resp)->key, {body.data(), body.size(), gen.allocator()}};
        ++gen_inserts;
      } else {
        slot = std::move(resp);  // the response itself lives on in the cache
        resp = {};               // (a raw pointer is not emptied by the move)
      }
      next = (next + 1) % capacity;
    }
  };

  // One request in a region of its own: parse, respond, a cache lookup and
  // maybe an insertion, teardown. Returns the running hash.
  static std::uint64_t serve(Rng& rng, ResponseCache& cache, std::uint64_t h, WorkloadResult& r) {
    using request_server_detail::hash_bytes;
    typename S::Scope request_scope;
    Doc doc;
    NodePtr root = parse(0, rng, doc);
    auto resp = S::template make<Response>();
    S::raw(resp)->key = rng.next();
    render(S::raw(root), 256 + rng.below(3841), S::raw(resp)->body);
    const Str& body = S::raw(resp)->body;
    const std::uint64_t resp_bytes = body.size() + 8;
    r.live_bytes = std::max(r.live_bytes, cache.bytes + doc.bytes + resp_bytes);
    h = hash_bytes(body.data(), body.size(), mix64(h ^ doc.nodes ^ (doc.bytes << 16)));

    // A session lookup: one cached response, old data read back.
    if (const CacheEntry* e = S::raw(cache.entries[rng.below(cache.capacity)])) {
      h = hash_bytes(e->body.data(), e->body.size(), mix64(h ^ e->key));
    }
    if (rng.below(100) < kCachePercent) cache.insert(resp, resp_bytes);
    S::release(resp);
    drop(root);
    return h;
  }

  static WorkloadResult run(RunContext& ctx) {
    using request_server_detail::hash_bytes;
    const std::uint64_t requests = scaled<std::uint64_t>(ctx.size, 1'500, 12'000, 80'000);
    const std::size_t capacity = scaled<std::size_t>(ctx.size, 50, 500, 3'000);
    WorkloadResult r;
    Rng rng(ctx.seed ^ 0x7265717565737431ULL);
    std::uint64_t h = mix64(requests ^ (capacity << 32));

    typename S::Scope run_scope;  // the arena's cache index lives here, below every request
    ResponseCache cache(capacity);
    for (std::uint64_t q = 0; q < requests; ++q) {
      const std::int64_t t0 = ctx.unit_start();
      h = serve(rng, cache, h, r);
      ctx.unit_end(t0);
    }

    h = mix64(h ^ cache.inserts ^ (cache.evictions << 32));
    for (auto& e : cache.entries) {
      if (e) h = hash_bytes(S::raw(e)->body.data(), S::raw(e)->body.size(), h);
      S::release(e);
    }
    ctx.counters.set("cache_inserts", static_cast<double>(cache.inserts));
    ctx.counters.set("cache_evictions", static_cast<double>(cache.evictions));
    r.units = requests;
    r.checksum = h;
    return r;
  }
};

MMBENCH_WORKLOAD(RequestServer);

}  // namespace mmbench
