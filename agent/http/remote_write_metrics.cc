#include "agent/http/remote_write_metrics.h"

#include <string>

#include "agent/http/metric_family.h"

namespace tocsin {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

void AppendRemoteWriteFamilies(const RemoteWriteStats& stats, std::vector<MetricFamily>& out) {
  if (stats.queues.empty()) return;
  struct Def {
    const char* name;
    const char* help;
    MetricType type;
    double (*get)(const RemoteWriteQueueStats&);
  };
  static const Def kDefs[] = {
      {"tocsin_remote_storage_samples_total", "Samples the remote acknowledged.",
       MetricType::Counter, [](const auto& s) { return double(s.samples_total); }},
      {"tocsin_remote_storage_samples_failed_total",
       "Samples the remote rejected with a non-retryable status; they are dropped.",
       MetricType::Counter, [](const auto& s) { return double(s.samples_failed_total); }},
      {"tocsin_remote_storage_samples_retried_total",
       "Samples in send attempts that failed recoverably and were retried.", MetricType::Counter,
       [](const auto& s) { return double(s.samples_retried_total); }},
      {"tocsin_remote_storage_samples_dropped_total",
       "Samples dropped by write_relabel_configs or sample_age_limit.", MetricType::Counter,
       [](const auto& s) { return double(s.samples_dropped_total); }},
      {"tocsin_remote_storage_bytes_total", "Compressed request bytes the remote acknowledged.",
       MetricType::Counter, [](const auto& s) { return double(s.bytes_total); }},
      {"tocsin_remote_storage_requests_failed_total",
       "Send attempts that did not get a 2xx answer.", MetricType::Counter,
       [](const auto& s) { return double(s.requests_failed_total); }},
      {"tocsin_remote_storage_samples_pending",
       "Samples in the durable queue that the remote has not acknowledged yet.", MetricType::Gauge,
       [](const auto& s) { return double(s.samples_pending); }},
      {"tocsin_remote_storage_highest_timestamp_in_seconds",
       "Timestamp of the newest sample written to the queue, in seconds since the epoch.",
       MetricType::Gauge, [](const auto& s) { return s.highest_timestamp_seconds; }},
      {"tocsin_remote_storage_queue_highest_sent_timestamp_seconds",
       "Timestamp of the newest sample the remote acknowledged, in seconds since the epoch.",
       MetricType::Gauge, [](const auto& s) { return s.highest_sent_timestamp_seconds; }},
      {"tocsin_remote_storage_shards", "Shards used by the last send round.", MetricType::Gauge,
       [](const auto& s) { return double(s.shards); }},
      {"tocsin_remote_storage_shards_max", "queue_config.max_shards.", MetricType::Gauge,
       [](const auto& s) { return double(s.shards_max); }},
      {"tocsin_remote_storage_shards_min", "queue_config.min_shards.", MetricType::Gauge,
       [](const auto& s) { return double(s.shards_min); }},
      {"tocsin_remote_storage_shard_capacity", "queue_config.capacity.", MetricType::Gauge,
       [](const auto& s) { return double(s.shard_capacity); }},
      {"tocsin_remote_storage_protobuf_message_version",
       "Remote-Write message sent: 2 (io.prometheus.write.v2.Request) or 1 "
       "(prometheus.WriteRequest, configured or after the remote refused 2.0).",
       MetricType::Gauge, [](const auto& s) { return double(s.protobuf_message_version); }},
      {"tocsin_remote_storage_queue_segments", "Segment files of the durable queue.",
       MetricType::Gauge, [](const auto& s) { return double(s.queue_segments); }},
      {"tocsin_remote_storage_queue_bytes", "Bytes of the durable queue's segment files.",
       MetricType::Gauge, [](const auto& s) { return double(s.queue_bytes); }},
      {"tocsin_remote_storage_queue_corruptions_total",
       "Torn or corrupt segment tails found and skipped.", MetricType::Counter,
       [](const auto& s) { return double(s.queue_corruptions_total); }},
      {"tocsin_remote_storage_queue_dropped_segments_total",
       "Oldest segments dropped because the queue exceeded max_queue_bytes.", MetricType::Counter,
       [](const auto& s) { return double(s.queue_dropped_segments_total); }},
      {"tocsin_remote_storage_queue_dropped_samples_total",
       "Samples in segments dropped because the queue exceeded max_queue_bytes.",
       MetricType::Counter, [](const auto& s) { return double(s.queue_dropped_samples_total); }},
      {"tocsin_remote_storage_queue_write_errors_total",
       "Queue appends or fsyncs that failed (the samples of a failed append are lost).",
       MetricType::Counter, [](const auto& s) { return double(s.queue_write_errors_total); }},
  };
  for (const Def& d : kDefs) {
    MetricFamily f = MakeFamily(d.name, d.help, d.type);
    for (const RemoteWriteQueueStats& q : stats.queues) {
      AddSample(f, d.get(q), {{"remote_name", q.remote_name}, {"url", q.url}});
    }
    out.push_back(std::move(f));
  }
  MetricFamily h = MakeFamily("tocsin_remote_storage_sent_batch_duration_seconds",
                              "Duration of send attempts to the remote.", MetricType::Histogram);
  for (const RemoteWriteQueueStats& q : stats.queues) {
    ClientMetric m;
    m.label = {{"remote_name", q.remote_name}, {"url", q.url}};
    m.histogram.sample_count = q.batch_duration_count;
    m.histogram.sample_sum = q.batch_duration_sum_seconds;
    for (size_t i = 0; i < kSentBatchDurationBuckets.size(); ++i) {
      m.histogram.bucket.push_back({q.batch_duration_buckets[i], kSentBatchDurationBuckets[i]});
    }
    h.metric.push_back(std::move(m));
  }
  out.push_back(std::move(h));
}

}  // namespace tocsin
