// Which kind of code slows down when the host does? (docs/reproducibility.md,
// section 1). Alternates six probes with a fixed malloc/free binary-tree loop
// for N seconds and prints one line per cycle:
//   t_s latency_ms ilp_ms l2_ms tree512k_ms tree2m_ms tree8m_ms malloc_loop_ms
// Build and run pinned to the CPU a worker would get, then summarize:
//   gcc -O2 -o /tmp/host_slowdown scripts/host_slowdown.c
//   taskset -c 1 /tmp/host_slowdown 420 > /tmp/slowdown.txt
//   /usr/bin/python3 scripts/host_slowdown_report.py /tmp/slowdown.txt
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC_RAW, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

// The reference work: a malloc/free binary tree, as binary_trees does.
typedef struct mnode { struct mnode *l, *r; } mnode;
static mnode* make(int d) {
  mnode* n = malloc(sizeof *n);
  n->l = d ? make(d - 1) : NULL;
  n->r = d ? make(d - 1) : NULL;
  return n;
}
static long count(const mnode* n) { return n->l ? 1 + count(n->l) + count(n->r) : 1; }
static void release(mnode* n) {
  if (n->l) {
    release(n->l);
    release(n->r);
  }
  free(n);
}

// Dependent multiplies: core latency, registers only.
static double latency_probe(void) {
  double t = now();
  volatile uint64_t seed = 1;
  uint64_t y = seed;
  for (long i = 0; i < 1000000; i++) y = y * 6364136223846793005ULL + 1442695040888963407ULL;
  seed = y;
  return now() - t;
}

// Six independent chains: core throughput.
static double ilp_probe(void) {
  double t = now();
  volatile uint64_t v = 1;
  uint64_t a = v, b = v + 1, c = v + 2, d = v + 3, e = v + 4, f = v + 5;
  for (long i = 0; i < 2000000; i++) {
    a += b ^ i; b += c >> 1; c ^= d + i; d += e; e ^= f << 1; f += a;
  }
  v = a ^ b ^ c ^ d ^ e ^ f;
  return now() - t;
}

// Random read-modify-write in 256 KiB: L2.
static uint32_t table[65536];
static double l2_probe(void) {
  double t = now();
  uint32_t x = 1;
  for (long i = 0; i < 2000000; i++) {
    x = x * 1103515245u + 12345u;
    table[(x >> 8) & 65535] += x;
  }
  return now() - t;
}

// A bump-allocated tree of 32 B nodes, built and walked: mmbench-host-probe's kind.
typedef struct node { struct node *l, *r; uint64_t v, pad; } node;
static char* arena;
static size_t used;
static node* build(int d, uint64_t v) {
  node* n = (node*)(arena + used);
  used += sizeof *n;
  n->v = v;
  n->l = d ? build(d - 1, v * 3) : NULL;
  n->r = d ? build(d - 1, v * 3 + 1) : NULL;
  return n;
}
static uint64_t walk(const node* n) { return n->l ? n->v + walk(n->l) + walk(n->r) : n->v; }
static double tree_probe(int depth, int reps) {
  double best[3];
  for (int k = 0; k < 3; k++) {
    double t = now();
    uint64_t s = 0;
    for (int i = 0; i < reps; i++) {
      used = 0;
      s += walk(build(depth, i));
    }
    volatile uint64_t sink = s;
    (void)sink;
    best[k] = now() - t;
  }
  // median of 3
  double a = best[0], b = best[1], c = best[2], x;
  if (a > b) { x = a; a = b; b = x; }
  if (b > c) { x = b; b = c; c = x; }
  if (a > b) { x = a; a = b; b = x; }
  return b;
}

int main(int argc, char** argv) {
  if (argc != 2 || atoi(argv[1]) <= 0) {
    fprintf(stderr, "usage: host_slowdown SECONDS\n");
    return 2;
  }
  int seconds = atoi(argv[1]);
  arena = malloc(8u << 20);
  for (size_t i = 0; i < (8u << 20); i += 4096) arena[i] = 1;
  double t0 = now();
  long nodes = 0;
  while (now() - t0 < seconds) {
    double lat = latency_probe(), ilp = ilp_probe(), l2 = l2_probe();
    double t512k = tree_probe(13, 8), t2m = tree_probe(15, 2), t8m = tree_probe(17, 1);
    double t = now();
    for (int i = 0; i < 20; i++) {
      mnode* n = make(14);
      nodes += count(n);
      release(n);
    }
    double loop = now() - t;
    printf("%.2f %.4f %.4f %.4f %.4f %.4f %.4f %.3f\n", now() - t0, lat * 1e3, ilp * 1e3,
           l2 * 1e3, t512k * 1e3, t2m * 1e3, t8m * 1e3, loop * 1e3);
    fflush(stdout);
  }
  return nodes < 0;
}
