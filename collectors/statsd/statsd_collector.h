// The StatsD collector: a StatsdReceiver thread feeding a StatsdAggregator; each Collect()
// writes the aggregated state and the receiver's self-metrics into the store (source "statsd").
//
// The receiver and aggregator live in a StatsdServer shared by every collector object built
// for the same listen address and options in this process: on a reload that keeps the statsd
// section unchanged, the new collector takes over the running server (no lost datagrams, no
// counter reset); otherwise the new server retries binding until the old one is gone. The
// server stops (thread joined, sockets closed) when the last collector using it is destroyed.
//
// Collect is not called concurrently for one collector (collector.h); the shared server is
// thread-safe.
#pragma once

#include <memory>

#include "agent/config/app_collectors_config.h"
#include "agent/core/clock.h"
#include "agent/core/status.h"
#include "collectors/collector.h"
#include "collectors/statsd/statsd_aggregator.h"
#include "collectors/statsd/statsd_receiver.h"

namespace tocsin {

class StatsdServer {
 public:
  static Result<std::shared_ptr<StatsdServer>> Acquire(const StatsdCollectorConfig& config,
                                                       const Clock& clock);
  StatsdAggregator& aggregator() { return aggregator_; }
  StatsdReceiver& receiver() { return *receiver_; }

  StatsdServer(const Clock& clock, StatsdAggregatorOptions options);

 private:
  StatsdAggregator aggregator_;
  std::unique_ptr<StatsdReceiver> receiver_;  // stopped before the aggregator goes
};

// `clock` null = SystemClock (drives the quantile windows).
Result<std::unique_ptr<Collector>> MakeStatsdCollector(const StatsdCollectorConfig& config,
                                                       const Clock* clock = nullptr);

// For tests: the server behind a collector made by MakeStatsdCollector.
StatsdServer& StatsdServerOf(Collector& collector);

}  // namespace tocsin
