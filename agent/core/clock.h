// Clock: the only source of time for the daemon's logic, injected so tests can drive it.
//
// Now() is wall-clock time (sample timestamps, alert times); Monotonic() is for measuring
// durations and deadlines. SystemClock is stateless and thread-safe. FakeClock is thread-safe;
// tests own it and move it forward explicitly.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace tocsin {

using Millis = std::chrono::milliseconds;
using WallTime = std::chrono::time_point<std::chrono::system_clock, std::chrono::milliseconds>;

// Milliseconds since the Unix epoch, the timestamp unit used throughout the store and PromQL.
using TimestampMs = int64_t;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimestampMs NowMs() const = 0;
  virtual std::chrono::steady_clock::time_point Monotonic() const = 0;
};

// The monotonic clock in whole milliseconds (deadlines kept as integers in queues and heaps).
inline int64_t MonotonicMs(const Clock& clock) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock.Monotonic().time_since_epoch())
      .count();
}

class SystemClock final : public Clock {
 public:
  TimestampMs NowMs() const override;
  std::chrono::steady_clock::time_point Monotonic() const override;
  // A process-wide instance, for wiring in main.
  static SystemClock& Instance();
};

// Wall and monotonic time move together under Advance and Set (Set never moves the monotonic
// clock backwards); StepWall moves the wall clock alone, as an NTP step or an operator does.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(TimestampMs start_ms = 0) : now_ms_(start_ms), mono_ms_(start_ms) {}
  TimestampMs NowMs() const override { return now_ms_.load(); }
  std::chrono::steady_clock::time_point Monotonic() const override {
    return std::chrono::steady_clock::time_point(Millis(mono_ms_.load()));
  }
  void Advance(Millis d) {
    now_ms_ += d.count();
    mono_ms_ += d.count();
  }
  void Set(TimestampMs t) {
    TimestampMs delta = t - now_ms_.exchange(t);
    if (delta > 0) mono_ms_ += delta;
  }
  void StepWall(Millis d) { now_ms_ += d.count(); }

 private:
  std::atomic<TimestampMs> now_ms_;
  std::atomic<TimestampMs> mono_ms_;
};

}  // namespace tocsin
