// Plain snapshots of the dispatcher's counters, for the lead's prometheus-cpp exporter
// (docs/metrics.md, "Notifiers"). Values only; copy freely.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace tocsin {

// Upper bounds (seconds) of the delivery-latency histogram buckets (+Inf is implicit).
inline constexpr std::array<double, 11> kDeliveryLatencyBuckets = {0.1, 0.25, 0.5, 1,   2.5, 5,
                                                                   10,  30,   60,  300, 1800};

struct IntegrationStats {
  std::string receiver;
  std::string integration;           // "pagerduty", "slack", "webhook", "log"
  int index = 0;                     // position in the receiver's *_configs list
  uint64_t notifications_total = 0;  // accepted for delivery
  uint64_t delivered_total = 0;
  uint64_t failed_total = 0;   // failed attempts (retried or not)
  uint64_t dropped_total = 0;  // given up: rejected (4xx), queue full, too old
  uint64_t dropped_queue_full = 0;
  uint64_t dropped_rejected = 0;
  uint64_t dropped_expired = 0;
  uint64_t superseded_total = 0;  // replaced by a newer notification of the same group
  uint64_t queue_length = 0;
  bool breaker_open = false;
  // Cumulative counts per kDeliveryLatencyBuckets bound (like Prometheus), plus +Inf = count.
  std::array<uint64_t, kDeliveryLatencyBuckets.size()> latency_buckets{};
  uint64_t latency_count = 0;
  double latency_sum_seconds = 0;
};

struct AlertmanagerTargetStats {
  std::string url;             // without secrets
  uint64_t sent_total = 0;     // alerts sent
  uint64_t errors_total = 0;   // alerts in failed batches
  uint64_t dropped_total = 0;  // alerts dropped (failed batches, queue overflow)
  uint64_t queue_length = 0;
};

struct DispatcherStats {
  std::vector<IntegrationStats> integrations;
  std::vector<AlertmanagerTargetStats> alertmanagers;
  uint64_t alerts_received_total = 0;
  uint64_t alerts_invalid_total = 0;  // no labels / bad label names
  uint64_t active_alerts = 0;
  uint64_t aggregation_groups = 0;
  uint64_t silenced_total = 0;   // alert notifications muted by a silence (per flush)
  uint64_t inhibited_total = 0;  // ... muted by an inhibit rule
  uint64_t queue_corrupt_files = 0;
};

}  // namespace tocsin
