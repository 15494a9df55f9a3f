// Plain snapshots of each remote_write queue's counters, for the exporter (docs/metrics.md,
// "Remote write"): Prometheus's prometheus_remote_storage_* shapes under tocsin_remote_storage_*.
// Values only; copy freely.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace tocsin {

// Upper bounds (seconds) of sent_batch_duration_seconds, Prometheus's (DefBuckets + 25..300).
inline constexpr std::array<double, 15> kSentBatchDurationBuckets = {
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 60, 120, 300};

struct RemoteWriteQueueStats {
  std::string remote_name;
  std::string url;                       // redacted (scheme://host[:port]/<redacted>)
  uint64_t samples_total = 0;            // acknowledged by the remote
  uint64_t samples_failed_total = 0;     // rejected by the remote (4xx other than 429): dropped
  uint64_t samples_retried_total = 0;    // in attempts that were retried
  uint64_t samples_dropped_total = 0;    // dropped by write_relabel_configs or sample_age_limit
  uint64_t bytes_total = 0;              // compressed request bytes acknowledged
  uint64_t requests_failed_total = 0;    // attempts that did not get a 2xx
  uint64_t samples_pending = 0;          // in the queue, not yet acknowledged
  double highest_timestamp_seconds = 0;  // newest sample written to the queue
  double highest_sent_timestamp_seconds = 0;  // newest sample acknowledged
  uint64_t shards = 0;
  uint64_t shards_max = 0;
  uint64_t shards_min = 0;
  uint64_t shard_capacity = 0;
  // 2 while io.prometheus.write.v2.Request is sent, 1 for prometheus.WriteRequest (configured,
  // or after a receiver refused 2.0).
  int protobuf_message_version = 1;
  // Cumulative counts per kSentBatchDurationBuckets bound, +Inf = count.
  std::array<uint64_t, kSentBatchDurationBuckets.size()> batch_duration_buckets{};
  uint64_t batch_duration_count = 0;
  double batch_duration_sum_seconds = 0;
  // The durable queue.
  uint64_t queue_segments = 0;
  uint64_t queue_bytes = 0;
  uint64_t queue_corruptions_total = 0;
  uint64_t queue_dropped_segments_total = 0;
  uint64_t queue_dropped_samples_total = 0;  // in segments dropped by max_queue_bytes
  uint64_t queue_write_errors_total = 0;     // appends or fsyncs that failed
};

struct RemoteWriteStats {
  std::vector<RemoteWriteQueueStats> queues;
};

}  // namespace tocsin
