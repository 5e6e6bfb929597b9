// request_server (workloads/request_server.cpp): a simulated service. Each
// request parses a document into a transient object graph of mixed sizes
// (nodes, name and text strings grown by appending, attribute and child
// lists), renders a response string from it, and reads one entry of a
// long-lived response cache. About 10% of responses are kept in that cache, a
// FIFO of fixed capacity: they outlive their request and die old.
// Unit of latency: one request (parse, respond, cache traffic, teardown).
//
// Live bytes: logical data, counted as the C++ workload counts it.
// Managed formulation: the document is dropped at the end of the request; a
// cached entry is the request's response object itself, dropped when the
// FIFO evicts it. Strings are byte strings (ByteString) grown by appending,
// as the C++ std::string.
package mmbench.workloads;

import java.util.ArrayList;

public final class RequestServer implements Workload {
  private static final WorkloadInfo INFO = new WorkloadInfo("request_server", "request",
      "service: per-request parse trees, ~10% of responses kept in a FIFO cache");
  static final int MAX_DEPTH = 5;
  static final int MAX_NODES = 160;
  static final long CACHE_PERCENT = 10;
  static final int MAX_TOKEN_BYTES = 616; // longest name or text
  static final int CORPUS_BYTES = 8192;
  // Document text: deterministic lowercase bytes.
  private static final byte[] CORPUS = new byte[CORPUS_BYTES];

  static {
    for (int i = 0; i < CORPUS_BYTES; ++i) CORPUS[i] = (byte) ('a' + Workload.umod(Workload.mix64(i), 26));
  }

  static final class Node {
    long id = 0;
    final ByteString name = new ByteString();
    final ByteString text = new ByteString();
    int[] attrs; // uint32 values
    final ArrayList<Node> children = new ArrayList<>();
  }

  static final class Response {
    long key = 0;
    final ByteString body = new ByteString();
  }

  static final class Doc {
    long nodes = 0;
    long bytes = 0; // logical bytes, see the header
  }

  @Override
  public WorkloadInfo info() {
    return INFO;
  }

  // 64-bit words of a byte range folded into a hash (little-endian, as memcpy).
  static long hashBytes(byte[] p, int n, long h) {
    int i = 0;
    for (; i + 8 <= n; i += 8) h = Workload.mix64(h ^ LittleEndian.get(p, i));
    long tail = n;
    for (; i < n; ++i) tail = (tail << 8) | (p[i] & 0xff);
    return Workload.mix64(h ^ tail);
  }

  // Appended 16 bytes at a time from a fixed text, as a parser grows a token.
  static void fill(ByteString s, int len, Rng rng) {
    int src = (int) rng.below(CORPUS_BYTES - MAX_TOKEN_BYTES);
    while (s.size() < len) s.append(CORPUS, src + s.size(), Math.min(16, len - s.size()));
  }

  static Node parse(int depth, Rng rng, Doc doc) {
    Node n = new Node();
    n.id = rng.next();
    ++doc.nodes;
    fill(n.name, 4 + (int) rng.below(44), rng);
    int nattrs = (int) rng.below(13);
    n.attrs = new int[nattrs];
    for (int i = 0; i < nattrs; ++i) n.attrs[i] = (int) rng.next();
    int nchildren = depth < MAX_DEPTH ? (int) rng.below(6) : 0;
    if (depth == 0 && nchildren == 0) nchildren = 1;
    if (nchildren == 0) fill(n.text, 16 + (int) rng.below(600), rng);
    doc.bytes += n.name.size() + n.text.size() + 4L * nattrs + 8L * nchildren + 8;
    for (int i = 0; i < nchildren && doc.nodes < MAX_NODES; ++i) n.children.add(parse(depth + 1, rng, doc));
    // Edges not taken because the node budget ran out are not counted.
    doc.bytes -= 8L * (nchildren - n.children.size());
    return n;
  }

  // Renders the response: node names and the head of their text, in preorder,
  // cycling over the document until the body has the requested length.
  static void render(Node root, int len, ByteString body, Node[] stack) {
    byte[] digits = new byte[2];
    while (body.size() < len) {
      int top = 0;
      stack[top++] = root;
      while (top > 0 && body.size() < len) {
        Node n = stack[--top];
        body.append(n.name.data(), 0, n.name.size());
        body.append((byte) ':');
        body.append(n.text.data(), 0, Math.min(n.text.size(), 32));
        long attrSum = 0;
        for (int a : n.attrs) attrSum += a & 0xffffffffL;
        digits[0] = (byte) ('0' + attrSum % 10);
        digits[1] = ';';
        body.append(digits, 0, 2);
        for (int i = n.children.size() - 1; i >= 0; --i) stack[top++] = n.children.get(i);
      }
    }
    body.resize(len);
  }

  @Override
  public WorkloadResult run(RunContext ctx) {
    long requests = Workload.scaled(ctx.size, 1_500L, 12_000L, 80_000L);
    int capacity = Workload.scaled(ctx.size, 50, 500, 3_000);
    WorkloadResult r = new WorkloadResult();
    Rng rng = new Rng(ctx.seed ^ 0x7265717565737431L);
    long h = Workload.mix64(requests ^ ((long) capacity << 32));
    Response[] cache = new Response[capacity];
    int cacheNext = 0; // FIFO position of the next insertion
    long cacheBytes = 0; // logical bytes in the cache
    long inserts = 0, evictions = 0;
    Node[] stack = new Node[MAX_NODES + 1]; // render's scratch (the C++ one is on the stack)
    for (long q = 0; q < requests; ++q) {
      long t0 = ctx.unitStart();
      Doc doc = new Doc();
      Node root = parse(0, rng, doc);
      Response resp = new Response();
      resp.key = rng.next();
      render(root, 256 + (int) rng.below(3841), resp.body, stack);
      ByteString body = resp.body;
      long respBytes = body.size() + 8L;
      r.liveBytes = Math.max(r.liveBytes, cacheBytes + doc.bytes + respBytes);
      h = hashBytes(body.data(), body.size(), Workload.mix64(h ^ doc.nodes ^ (doc.bytes << 16)));
      // A session lookup: one cached response, old data read back.
      Response e = cache[(int) rng.below(capacity)];
      if (e != null) h = hashBytes(e.body.data(), e.body.size(), Workload.mix64(h ^ e.key));
      if (rng.below(100) < CACHE_PERCENT) {
        if (cache[cacheNext] != null) {
          cacheBytes -= cache[cacheNext].body.size() + 8L;
          ++evictions; // dropped
        }
        cacheBytes += respBytes;
        ++inserts;
        cache[cacheNext] = resp; // the response itself lives on in the cache
        cacheNext = (cacheNext + 1) % capacity;
      }
      ctx.unitEnd(t0); // the document and an uncached response dropped
    }
    h = Workload.mix64(h ^ inserts ^ (evictions << 32));
    for (Response e : cache) {
      if (e != null) h = hashBytes(e.body.data(), e.body.size(), h);
    }
    ctx.counters.set("cache_inserts", inserts);
    ctx.counters.set("cache_evictions", evictions);
    r.units = requests;
    r.checksum = h;
    return r;
  }
}
