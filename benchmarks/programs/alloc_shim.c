/* Allocation witness, preloaded first into a program under test.

   It forwards malloc, free and the rest of the standard family to one target
   library (MMBENCH_SHIM_TARGET, a path; unset: the next definition after this
   one, RTLD_NEXT), counts the calls per thread without atomics, and at exit
   writes one JSON report per process into MMBENCH_SHIM_REPORT_DIR: which
   library each function really went to (dladdr) and how often it was called.
   A program that never calls malloc through its dynamic symbol (statically
   linked, set-user-ID, an allocator of its own, LD_PRELOAD dropped) leaves no
   report or a zero count: the worker then refuses the allocator for it.

   jemalloc's non-standard entry points are forwarded and counted too, so a
   program linked with jemalloc (Debian's redis) shows whether it still talks
   to jemalloc while another allocator serves malloc. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
  F_MALLOC,
  F_FREE,
  F_CALLOC,
  F_REALLOC,
  F_POSIX_MEMALIGN,
  F_ALIGNED_ALLOC,
  F_MEMALIGN,
  F_VALLOC,
  F_USABLE_SIZE,
  F_STANDARD_END,
  F_MALLCTL = F_STANDARD_END,
  F_MALLCTLNAMETOMIB,
  F_MALLCTLBYMIB,
  F_NALLOCX,
  F_MALLOCX,
  F_RALLOCX,
  F_XALLOCX,
  F_SALLOCX,
  F_DALLOCX,
  F_SDALLOCX,
  F_STATS_PRINT,
  F_COUNT
};
static const char *const kNames[F_COUNT] = {"malloc",
                                            "free",
                                            "calloc",
                                            "realloc",
                                            "posix_memalign",
                                            "aligned_alloc",
                                            "memalign",
                                            "valloc",
                                            "malloc_usable_size",
                                            "mallctl",
                                            "mallctlnametomib",
                                            "mallctlbymib",
                                            "nallocx",
                                            "mallocx",
                                            "rallocx",
                                            "xallocx",
                                            "sallocx",
                                            "dallocx",
                                            "sdallocx",
                                            "malloc_stats_print"};
static void *real[F_COUNT];

/* Counters: one padded slot per thread (the first kSlots threads), the rest
   share the last slot; a lost update there only lowers a count. */
enum { kSlots = 256 };
struct slot {
  uint64_t calls[F_COUNT];
} __attribute__((aligned(64)));
static struct slot slots[kSlots];
static unsigned next_slot;
static __thread struct slot *my_slot __attribute__((tls_model("initial-exec")));

static inline void count(int f) {
  struct slot *s = my_slot;
  if (__builtin_expect(s == NULL, 0)) {
    unsigned i = __atomic_fetch_add(&next_slot, 1, __ATOMIC_RELAXED);
    s = my_slot = &slots[i < kSlots ? i : kSlots - 1];
  }
  s->calls[f]++;
}

/* dlsym may allocate before the real functions are known: serve that from here. */
static char bootstrap[1 << 16] __attribute__((aligned(64)));
static size_t bootstrap_used;
static int resolving;

static void *bootstrap_alloc(size_t size) {
  size_t at = (bootstrap_used + 63) & ~(size_t)63;
  if (at + size > sizeof bootstrap) return NULL;
  bootstrap_used = at + size;
  return bootstrap + at;
}
static int from_bootstrap(const void *p) {
  return (const char *)p >= bootstrap && (const char *)p < bootstrap + sizeof bootstrap;
}

static void resolve(void) {
  if (real[F_MALLOC] || resolving) return;
  resolving = 1;
  const char *target = getenv("MMBENCH_SHIM_TARGET");
  void *handle = RTLD_NEXT;
  if (target && *target) {
    handle = dlopen(target, RTLD_NOW | RTLD_NOLOAD);
    if (!handle) handle = dlopen(target, RTLD_NOW | RTLD_GLOBAL);
    if (!handle) {
      static const char msg[] = "mmbench alloc shim: cannot open MMBENCH_SHIM_TARGET\n";
      (void)!write(2, msg, sizeof msg - 1);
      _exit(127);
    }
  }
  for (int f = 0; f < F_COUNT; f++) {
    void *p = dlsym(handle, kNames[f]);
    /* jemalloc's extras may live elsewhere than the target (redis links jemalloc);
       a standard function the target lacks is taken from the next library, and
       the report then names that library (the worker refuses the run). */
    if (!p && handle != RTLD_NEXT) p = dlsym(RTLD_NEXT, kNames[f]);
    real[f] = p;
  }
  resolving = 0;
}

/* Early, while the process has one thread. */
__attribute__((constructor)) static void resolve_early(void) { resolve(); }

#define REAL(f, type) ((type)real[f])

void *malloc(size_t size) {
  if (__builtin_expect(!real[F_MALLOC], 0)) {
    if (resolving) return bootstrap_alloc(size);
    resolve();
  }
  count(F_MALLOC);
  return REAL(F_MALLOC, void *(*)(size_t))(size);
}

void free(void *p) {
  if (!p || from_bootstrap(p)) return;
  count(F_FREE);
  REAL(F_FREE, void (*)(void *))(p);
}

void *calloc(size_t n, size_t size) {
  if (__builtin_expect(!real[F_CALLOC], 0)) {
    if (resolving) {
      void *p = (size && n > SIZE_MAX / size) ? NULL : bootstrap_alloc(n * size);
      return p; /* static storage is already zero */
    }
    resolve();
  }
  count(F_CALLOC);
  return REAL(F_CALLOC, void *(*)(size_t, size_t))(n, size);
}

void *realloc(void *p, size_t size) {
  if (__builtin_expect(!real[F_REALLOC], 0)) resolve();
  if (from_bootstrap(p)) {
    void *q = malloc(size);
    size_t left = (size_t)(bootstrap + sizeof bootstrap - (char *)p);
    if (q) memcpy(q, p, size < left ? size : left);
    return q;
  }
  count(F_REALLOC);
  return REAL(F_REALLOC, void *(*)(void *, size_t))(p, size);
}

int posix_memalign(void **out, size_t align, size_t size) {
  resolve();
  count(F_POSIX_MEMALIGN);
  return REAL(F_POSIX_MEMALIGN, int (*)(void **, size_t, size_t))(out, align, size);
}

void *aligned_alloc(size_t align, size_t size) {
  resolve();
  count(F_ALIGNED_ALLOC);
  return REAL(F_ALIGNED_ALLOC, void *(*)(size_t, size_t))(align, size);
}

void *memalign(size_t align, size_t size) {
  resolve();
  count(F_MEMALIGN);
  return REAL(F_MEMALIGN, void *(*)(size_t, size_t))(align, size);
}

void *valloc(size_t size) {
  resolve();
  count(F_VALLOC);
  return REAL(F_VALLOC, void *(*)(size_t))(size);
}

size_t malloc_usable_size(void *p) {
  resolve();
  count(F_USABLE_SIZE);
  return REAL(F_USABLE_SIZE, size_t(*)(void *))(p);
}

/* jemalloc's API: forwarded where some library defines it, else "not there". */
int mallctl(const char *name, void *oldp, size_t *oldlenp, void *newp, size_t newlen) {
  resolve();
  count(F_MALLCTL);
  if (!real[F_MALLCTL]) return ENOENT;
  return REAL(F_MALLCTL, int (*)(const char *, void *, size_t *, void *, size_t))(
      name, oldp, oldlenp, newp, newlen);
}
int mallctlnametomib(const char *name, size_t *mibp, size_t *miblenp) {
  resolve();
  count(F_MALLCTLNAMETOMIB);
  if (!real[F_MALLCTLNAMETOMIB]) return ENOENT;
  return REAL(F_MALLCTLNAMETOMIB, int (*)(const char *, size_t *, size_t *))(name, mibp, miblenp);
}
int mallctlbymib(const size_t *mib, size_t miblen, void *oldp, size_t *oldlenp, void *newp,
                 size_t newlen) {
  resolve();
  count(F_MALLCTLBYMIB);
  if (!real[F_MALLCTLBYMIB]) return ENOENT;
  return REAL(F_MALLCTLBYMIB, int (*)(const size_t *, size_t, void *, size_t *, void *, size_t))(
      mib, miblen, oldp, oldlenp, newp, newlen);
}
size_t nallocx(size_t size, int flags) {
  resolve();
  count(F_NALLOCX);
  return real[F_NALLOCX] ? REAL(F_NALLOCX, size_t(*)(size_t, int))(size, flags) : 0;
}
void *mallocx(size_t size, int flags) {
  resolve();
  count(F_MALLOCX);
  return real[F_MALLOCX] ? REAL(F_MALLOCX, void *(*)(size_t, int))(size, flags) : NULL;
}
void *rallocx(void *p, size_t size, int flags) {
  resolve();
  count(F_RALLOCX);
  return real[F_RALLOCX] ? REAL(F_RALLOCX, void *(*)(void *, size_t, int))(p, size, flags) : NULL;
}
size_t xallocx(void *p, size_t size, size_t extra, int flags) {
  resolve();
  count(F_XALLOCX);
  return real[F_XALLOCX]
             ? REAL(F_XALLOCX, size_t(*)(void *, size_t, size_t, int))(p, size, extra, flags)
             : 0;
}
size_t sallocx(const void *p, int flags) {
  resolve();
  count(F_SALLOCX);
  return real[F_SALLOCX] ? REAL(F_SALLOCX, size_t(*)(const void *, int))(p, flags) : 0;
}
void dallocx(void *p, int flags) {
  resolve();
  count(F_DALLOCX);
  if (real[F_DALLOCX]) REAL(F_DALLOCX, void (*)(void *, int))(p, flags);
}
void sdallocx(void *p, size_t size, int flags) {
  resolve();
  count(F_SDALLOCX);
  if (real[F_SDALLOCX]) REAL(F_SDALLOCX, void (*)(void *, size_t, int))(p, size, flags);
}
typedef void (*stats_writer)(void *, const char *);
void malloc_stats_print(stats_writer write_cb, void *opaque, const char *opts) {
  resolve();
  count(F_STATS_PRINT);
  if (real[F_STATS_PRINT])
    REAL(F_STATS_PRINT, void (*)(stats_writer, void *, const char *))(write_cb, opaque, opts);
}

/* ---- the report ---------------------------------------------------------- */

static char report[16384];
static size_t report_used;

static void put(const char *fmt, ...) {
  if (report_used >= sizeof report - 1) return;
  va_list ap;
  va_start(ap, fmt);
  int w = vsnprintf(report + report_used, sizeof report - report_used, fmt, ap);
  va_end(ap);
  if (w > 0) report_used += (size_t)w;
  if (report_used > sizeof report - 1) report_used = sizeof report - 1;
}

/* A JSON string of a file name: quotes and backslashes escaped, controls dropped. */
static void json_path(char *out, size_t cap, const char *in) {
  size_t j = 0;
  for (; in && *in && j + 3 < cap; in++) {
    if ((unsigned char)*in < 0x20) continue;
    if (*in == '"' || *in == '\\') out[j++] = '\\';
    out[j++] = *in;
  }
  out[j] = '\0';
}

__attribute__((destructor)) static void write_report(void) {
  const char *dir = getenv("MMBENCH_SHIM_REPORT_DIR");
  if (!dir || !*dir) return;
  static char path[4096], exe[4096], lib[4096];
  ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
  path[n > 0 ? n : 0] = '\0';
  json_path(exe, sizeof exe, path);
  put("{\"pid\": %d, \"exe\": \"%s\", \"functions\": {", (int)getpid(), exe);
  for (int f = 0; f < F_COUNT; f++) {
    unsigned long long calls = 0;
    for (int s = 0; s < kSlots; s++) calls += slots[s].calls[f];
    Dl_info info;
    const char *from = "";
    if (real[f] && dladdr(real[f], &info) && info.dli_fname) from = info.dli_fname;
    json_path(lib, sizeof lib, from);
    put("%s\"%s\": {\"from\": \"%s\", \"calls\": %llu}", f ? ", " : "", kNames[f], lib, calls);
  }
  put("}}\n");
  snprintf(path, sizeof path, "%s/%d.json", dir, (int)getpid());
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return;
  (void)!write(fd, report, report_used);
  close(fd);
}
