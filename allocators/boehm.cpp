#include "allocators/boehm.hpp"

#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

#include "base/clock.hpp"
#include "base/env_json.hpp"
#include "base/histogram_json.hpp"

namespace mmbench {
namespace {
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

// A fixed heap collects when it is full through libgc's retry path, which warns
// "Out of Memory!  Trying to continue..." each time: that is the collection
// working, not a failure, so only that warning is dropped.
GC_warn_proc previous_warning = nullptr;
void GC_CALLBACK fixed_heap_warning(char* msg, GC_word arg) {
  if (std::strstr(msg, "Trying to continue") != nullptr) return;
  if (previous_warning != nullptr) previous_warning(msg, arg);
}
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

BoehmSettings BoehmSettings::from(BoehmConfig config, const ProcessOptions& options) {
  BoehmSettings s = from_environment(config);
  s.max_heap_bytes = options.gc_max_heap_bytes;
  s.free_space_divisor = options.gc_free_space_divisor;
  s.fixed_heap = options.gc_fixed_heap;
  return s;
}

nlohmann::json BoehmRuntime::config_json(BoehmConfig config, const ProcessOptions& options) {
  if (initialized()) config = config_;
  const BoehmSettings s = initialized() ? settings_ : BoehmSettings::from(config, options);
  nlohmann::json c;
  c["incremental"] = config.mode == BoehmMode::kIncremental;
  c["parallel_mark"] = config.mode == BoehmMode::kParallelMark;
  c["free_explicitly"] = config.free_explicitly;
  c["markers"] = config.mode == BoehmMode::kParallelMark ? s.markers : 1;
  c["pause_target_ms"] = config.mode != BoehmMode::kIncremental ? nlohmann::json(nullptr)
                         : s.pause_target_ms != 0               ? nlohmann::json(s.pause_target_ms)
                                                                : nlohmann::json("libgc default");
  c["max_heap_bytes"] =
      s.max_heap_bytes != 0 ? nlohmann::json(s.max_heap_bytes) : nlohmann::json("unlimited");
  c["free_space_divisor"] =
      s.free_space_divisor != 0 ? s.free_space_divisor : GC_get_free_space_divisor();
  c["fixed_heap"] = s.fixed_heap;
  c["env"] = env_with_prefix("GC_");
  return c;
}

nlohmann::json BoehmRuntime::report(std::int64_t run_start_ns) {
  nlohmann::json gc;
  gc["collections"] = GC_get_gc_no();
  gc["heap_bytes"] = GC_get_heap_size();
  gc["marker_threads"] = GC_get_parallel() + 1;  // GC_parallel excludes the initiating thread
  gc["incremental"] = GC_is_incremental_mode() != 0;
  gc["total_allocated_bytes"] = GC_get_total_bytes();
  gc["pauses"] = histogram_to_json(pauses());
  nlohmann::json list = nlohmann::json::array();
  for (std::size_t i = 0; i < event_count(); ++i) {
    list.push_back({events_[i].start_ns - run_start_ns, events_[i].duration_ns});
  }
  gc["events"] = std::move(list);  // [start offset from run start, duration], ns
  return gc;
}

std::string BoehmRuntime::version() {
  const unsigned v = GC_get_version();
  return std::to_string(v >> 16) + "." + std::to_string((v >> 8) & 0xff) + "." +
         std::to_string(v & 0xff);
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
  if (settings.fixed_heap && settings.max_heap_bytes != 0) {
    // No collection until the heap has grown to the cap (min_bytes_allocd);
    // there, a failed expansion collects once (one retry) before it fails.
    GC_set_min_bytes_allocd(settings.max_heap_bytes);
    GC_set_max_retries(1);
    previous_warning = GC_get_warn_proc();
    GC_set_warn_proc(&fixed_heap_warning);
  }
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
