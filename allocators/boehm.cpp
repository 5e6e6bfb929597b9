#include "allocators/boehm.hpp"

#include <cstdlib>
#include <ctime>

namespace mmbench {
namespace {
std::int64_t monotonic_ns() noexcept {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}
}  // namespace

void BoehmRuntime::init() {
  if (pauses_ != nullptr) return;
  // Buffers come from malloc, not static arrays: static data is scanned as roots.
  pauses_ = new Histogram();
  events_ = static_cast<PauseEvent*>(std::calloc(kMaxPauseEvents, sizeof(PauseEvent)));
  if (events_ == nullptr) throw std::bad_alloc();
  GC_set_on_collection_event(&BoehmRuntime::on_event);
  GC_INIT();
  GC_allow_register_threads();
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
