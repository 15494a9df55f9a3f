// Collector: one source of samples (system, postgres, a scrape target, ...).
//
// The scheduler calls Collect on its own thread at the collector's interval with a fresh
// Appender and a deadline; the scheduler commits (or rolls back on error). A collector never
// sees rules, notifiers or HTTP. Collect is never called concurrently on the same instance;
// the collector owns whatever connections it keeps between calls.
#pragma once

#include <algorithm>
#include <chrono>
#include <memory>
#include <stop_token>
#include <string>
#include <string_view>

#include "agent/core/clock.h"
#include "agent/core/status.h"
#include "agent/store/appender.h"

namespace tocsin {

struct CollectContext {
  TimestampMs now_ms = 0;                          // the batch timestamp
  std::chrono::steady_clock::time_point deadline;  // give up (and return an error) after this
  std::stop_token stop;                            // set at shutdown
};

class Collector {
 public:
  virtual ~Collector() = default;
  // Stable, unique name; used as the store source and as the `collector` label of self-metrics.
  virtual std::string_view name() const = 0;
  // Adds this cycle's samples. An error means the cycle failed (counted and logged by the
  // scheduler); samples added before the error are rolled back.
  virtual Status Collect(const CollectContext& ctx, Appender& out) = 0;
};

// The deadline a network collector works to: the scheduler's (or now + `timeout` when there is
// none), less a reserve of a tenth of the budget, at most 100 ms, so that the collector can still
// add its `<name>_up 0` before the scheduler gives up on the cycle.
inline std::chrono::steady_clock::time_point WorkingDeadline(const CollectContext& ctx,
                                                             std::chrono::milliseconds timeout) {
  const auto now = std::chrono::steady_clock::now();
  auto deadline =
      ctx.deadline == std::chrono::steady_clock::time_point{} ? now + timeout : ctx.deadline;
  const auto budget = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
  return deadline -
         std::min<std::chrono::milliseconds>(std::chrono::milliseconds(100), budget / 10);
}

// What the scheduler runs: a collector and its timing.
struct ScheduledCollector {
  std::unique_ptr<Collector> collector;
  std::chrono::milliseconds interval;
  std::chrono::milliseconds timeout;
};

}  // namespace tocsin
