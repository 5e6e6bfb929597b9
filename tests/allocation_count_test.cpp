// Recording must not allocate: a record() that calls malloc would perturb the
// very allocator a run measures. This executable defines malloc and friends
// itself (the executable's definitions interpose on libc's for the whole
// process, shared libraries included) and forwards them to glibc's internal
// entry points, counting every call; global operator new/delete are replaced
// too. Each test counts the calls made across a region of code under test.
#include <gtest/gtest.h>
#include <malloc.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <random>
#include <string>
#include <vector>

#include "base/histogram.hpp"
#include "workloads/workload.hpp"

extern "C" {
void* __libc_malloc(std::size_t);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void* __libc_memalign(std::size_t, std::size_t);
void __libc_free(void*);
}

namespace {
// Relaxed atomics: constant-initialised, usable before main and from any thread.
std::atomic<std::int64_t> g_malloc_calls{0};  // malloc, calloc, realloc, aligned
std::atomic<std::int64_t> g_free_calls{0};
std::atomic<std::int64_t> g_new_calls{0};  // global operator new, every form

void count_malloc() noexcept { g_malloc_calls.fetch_add(1, std::memory_order_relaxed); }
}  // namespace

extern "C" {
void* malloc(std::size_t n) {
  count_malloc();
  return __libc_malloc(n);
}
void* calloc(std::size_t n, std::size_t size) {
  count_malloc();
  return __libc_calloc(n, size);
}
void* realloc(void* p, std::size_t n) {
  count_malloc();
  return __libc_realloc(p, n);
}
void free(void* p) {
  if (p != nullptr) g_free_calls.fetch_add(1, std::memory_order_relaxed);
  __libc_free(p);
}
void* memalign(std::size_t align, std::size_t n) {
  count_malloc();
  return __libc_memalign(align, n);
}
void* aligned_alloc(std::size_t align, std::size_t n) {
  count_malloc();
  return __libc_memalign(align, n);
}
int posix_memalign(void** out, std::size_t align, std::size_t n) {
  count_malloc();
  if (align < sizeof(void*) || (align & (align - 1)) != 0) return EINVAL;
  void* p = __libc_memalign(align, n);
  if (p == nullptr) return ENOMEM;
  *out = p;
  return 0;
}
}

namespace {
void* counted_new(std::size_t n, std::size_t align = 0) {
  g_new_calls.fetch_add(1, std::memory_order_relaxed);
  if (n == 0) n = 1;
  void* p = align > alignof(std::max_align_t)
                ? aligned_alloc(align, (n + align - 1) / align * align)
                : malloc(n);
  return p;
}
}  // namespace

void* operator new(std::size_t n) {
  if (void* p = counted_new(n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
  if (void* p = counted_new(n)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return counted_new(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return counted_new(n); }
void* operator new(std::size_t n, std::align_val_t a) {
  if (void* p = counted_new(n, static_cast<std::size_t>(a))) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n, std::align_val_t a) {
  if (void* p = counted_new(n, static_cast<std::size_t>(a))) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { free(p); }
void operator delete[](void* p) noexcept { free(p); }
void operator delete(void* p, std::size_t) noexcept { free(p); }
void operator delete[](void* p, std::size_t) noexcept { free(p); }
void operator delete(void* p, std::align_val_t) noexcept { free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { free(p); }

namespace mmbench {
namespace {

struct CallCounts {
  std::int64_t mallocs, frees, news;
  static CallCounts now() {
    return {g_malloc_calls.load(std::memory_order_relaxed),
            g_free_calls.load(std::memory_order_relaxed),
            g_new_calls.load(std::memory_order_relaxed)};
  }
  CallCounts operator-(const CallCounts& o) const {
    return {mallocs - o.mallocs, frees - o.frees, news - o.news};
  }
};

// Results go here so the compiler cannot drop the work being checked.
volatile std::int64_t g_sink = 0;

TEST(AllocationCounter, SeesMallocFreeAndNew) {
  // Through volatile pointers: a visible malloc/free pair may be elided.
  void* (*volatile do_malloc)(std::size_t) = &std::malloc;
  void (*volatile do_free)(void*) = &std::free;
  const CallCounts before = CallCounts::now();
  void* p = do_malloc(64);
  const CallCounts after_malloc = CallCounts::now();
  do_free(p);
  const CallCounts after_free = CallCounts::now();
  EXPECT_EQ((after_malloc - before).mallocs, 1);
  EXPECT_EQ((after_free - after_malloc).frees, 1);

  void* (*volatile do_new)(std::size_t) = static_cast<void* (*)(std::size_t)>(&::operator new);
  void (*volatile do_delete)(void*) noexcept =
      static_cast<void (*)(void*) noexcept>(&::operator delete);
  const CallCounts before_new = CallCounts::now();
  void* q = do_new(200);
  do_delete(q);
  const CallCounts new_delta = CallCounts::now() - before_new;
  EXPECT_EQ(new_delta.news, 1);
  EXPECT_EQ(new_delta.mallocs, 1);
  EXPECT_EQ(new_delta.frees, 1);
}

TEST(AllocationCounter, SeesHistogramConstruction) {
  // Construction is where a Histogram allocates: the counter must see it,
  // or the zero deltas below would prove nothing.
  const CallCounts before = CallCounts::now();
  {
    Histogram h;
    g_sink = h.counts_len();
  }
  const CallCounts delta = CallCounts::now() - before;
  EXPECT_GE(delta.mallocs, 1);
  EXPECT_EQ(delta.frees, delta.mallocs);
}

TEST(AllocationFree, HistogramRecordAndQuery) {
  auto h = std::make_unique<Histogram>();
  auto other = std::make_unique<Histogram>();
  other->record(12345);
  std::mt19937_64 rng(11);  // no heap state

  const CallCounts before = CallCounts::now();
  for (int i = 0; i < 1'000'000; ++i) {
    // Spread over every bucket, with some saturated and negative values.
    const int shift = static_cast<int>(rng() % 48);
    h->record(static_cast<std::int64_t>(rng() >> (63 - shift)) - (i % 997 == 0 ? 1 << 20 : 0));
  }
  h->record_n(5'000, 1'000);
  for (int i = 0; i < 1000; ++i) h->record_corrected(50'000'000 + i, 1'000'000);
  std::int64_t acc = 0;
  for (double p : {0.0, 50.0, 90.0, 99.0, 99.9, 99.99, 100.0}) acc += h->value_at_percentile(p);
  acc += h->min() + h->max() + static_cast<std::int64_t>(h->mean()) + h->saturated();
  acc += h->highest_equivalent(acc & 0xffffff) + h->lowest_equivalent(acc & 0xfffff);
  h->merge(*other);
  acc += h->count();
  h->reset();
  h->record(now_ns() & 0xffff);
  const CallCounts delta = CallCounts::now() - before;
  g_sink = acc;

  EXPECT_EQ(delta.mallocs, 0);
  EXPECT_EQ(delta.frees, 0);
  EXPECT_EQ(delta.news, 0);
  EXPECT_EQ(h->count(), 1);
}

TEST(AllocationFree, CountersSetAndAdd) {
  auto counters = std::make_unique<Counters>();
  const CallCounts before = CallCounts::now();
  for (int i = 0; i < 100'000; ++i) {
    counters->set("deadline_misses", i);
    counters->add("phase_ns", 1.5);
    counters->add("bytes_moved", static_cast<double>(i));
  }
  // Beyond capacity names are dropped, still without allocating.
  static const char* const kNames[] = {"c00", "c01", "c02", "c03", "c04", "c05", "c06", "c07",
                                       "c08", "c09", "c10", "c11", "c12", "c13", "c14", "c15",
                                       "c16", "c17", "c18", "c19", "c20", "c21", "c22", "c23",
                                       "c24", "c25", "c26", "c27", "c28", "c29", "c30", "c31"};
  for (const char* name : kNames) counters->add(name, 1);
  const CallCounts delta = CallCounts::now() - before;

  EXPECT_EQ(delta.mallocs, 0);
  EXPECT_EQ(delta.frees, 0);
  EXPECT_EQ(delta.news, 0);
  ASSERT_EQ(counters->size(), Counters::kMax);
  EXPECT_STREQ(counters->name(0), "deadline_misses");
  EXPECT_EQ(counters->value(0), 99'999);
  EXPECT_DOUBLE_EQ(counters->value(1), 150'000.0);
  EXPECT_DOUBLE_EQ(counters->value(2), 99'999.0 * 100'000.0 / 2.0);
}

}  // namespace
}  // namespace mmbench
