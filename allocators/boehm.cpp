#include "allocators/boehm.hpp"

#include <cstdlib>
#include <ctime>
#include <stdexcept>
#include <string>

namespace mmbench {
namespace {
std::int64_t monotonic_ns() noexcept {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

unsigned long env_number(const char* name, unsigned long fallback) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  char* end = nullptr;
  const unsigned long value = std::strtoul(text, &end, 10);
  if (*end != '\0') throw std::invalid_argument(std::string(name) + " is not a number: " + text);
  return value;
}

// At the heap cap libgc calls this and hands its result to the caller of
// GC_MALLOC; NULL makes make() / gc_allocator throw std::bad_alloc, which the
// worker reports as exit code 4. (libgc 8.2's default also returns NULL, but
// after a warning per call; one clean failure is what we want.)
void* out_of_memory(std::size_t) { return nullptr; }
}  // namespace

BoehmSettings BoehmSettings::from_environment(BoehmConfig config) {
  BoehmSettings s;
  if (config.mode == BoehmMode::kIncremental) {
    s.pause_target_ms = env_number("MMBENCH_GC_PAUSE_TARGET_MS", 0);
  }
  if (config.mode == BoehmMode::kParallelMark) {
    s.markers = static_cast<unsigned>(env_number("MMBENCH_GC_MARKERS", 2));
    if (s.markers == 0) throw std::invalid_argument("MMBENCH_GC_MARKERS must be at least 1");
  }
  return s;
}

void BoehmRuntime::init() { init(BoehmConfig{}, BoehmSettings{}); }

void BoehmRuntime::init(BoehmConfig config, const BoehmSettings& settings) {
  if (pauses_ != nullptr) return;
  // Buffers come from malloc, not static arrays: static data is scanned as roots.
  pauses_ = new Histogram();
  events_ = static_cast<PauseEvent*>(std::calloc(kMaxPauseEvents, sizeof(PauseEvent)));
  if (events_ == nullptr) throw std::bad_alloc();
  config_ = config;
  settings_ = settings;
  GC_set_on_collection_event(&BoehmRuntime::on_event);
  GC_set_oom_fn(&out_of_memory);
  // The marker count must precede GC_INIT to take effect.
  // One marker unless this is the parallel variant: libgc would otherwise
  // start as many as there are cores once a second thread appears, and the
  // plain collector would silently become a parallel one. GC_MARKERS in the
  // environment still wins (it is recorded in the configuration).
  if (config.mode == BoehmMode::kParallelMark) {
    GC_set_markers_count(settings.markers);
  } else if (std::getenv("GC_MARKERS") == nullptr) {
    GC_set_markers_count(1);
  }
  GC_INIT();
  // The cap is set after GC_INIT on purpose: libgc consults it at every heap
  // expansion, but a cap below GC_INIT's initial heap (64 KiB) would make
  // GC_INIT itself print "Can't start up: not enough memory" and exit(1),
  // which a sweep cannot tell from a crash. Set here, a cap that small fails
  // at the first allocation that needs more heap: a clean out-of-memory.
  if (settings.max_heap_bytes != 0) GC_set_max_heap_size(settings.max_heap_bytes);
  GC_allow_register_threads();
  if (settings.free_space_divisor != 0) GC_set_free_space_divisor(settings.free_space_divisor);
  settings_.free_space_divisor = GC_get_free_space_divisor();
  if (config.mode == BoehmMode::kParallelMark) GC_start_mark_threads();
  if (config.mode == BoehmMode::kIncremental) {
    if (settings.pause_target_ms != 0) GC_set_time_limit(settings.pause_target_ms);
    GC_enable_incremental();
  }
  settings_.pause_target_ms = config.mode == BoehmMode::kIncremental ? GC_get_time_limit() : 0;
  reset_pauses();
}

void BoehmRuntime::reset_pauses() noexcept {
  pauses_->reset();
  event_count_ = 0;
}

void BoehmRuntime::on_event(GC_EventType type) noexcept {
  // Only the clock and preallocated memory here (see header).
  if (type == GC_EVENT_PRE_STOP_WORLD) {
    stop_started_ns_ = monotonic_ns();
  } else if (type == GC_EVENT_POST_START_WORLD && stop_started_ns_ != 0) {
    const std::int64_t now = monotonic_ns();
    const std::int64_t d = now - stop_started_ns_;
    pauses_->record(d);
    if (event_count_ < kMaxPauseEvents) events_[event_count_] = {stop_started_ns_, d};
    ++event_count_;
    stop_started_ns_ = 0;
  }
}

}  // namespace mmbench
