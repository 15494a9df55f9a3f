// QueueManager: one remote_write endpoint. Owns its durable SegmentQueue (under
// <state_dir>/remote_write/<name>/), the QueueWriter that the store's tap feeds, and the reading
// side: one thread that reads records from the acknowledged cursor, applies external labels
// and write_relabel_configs once per series and segment, and sends them in rounds.
//
// A round is up to max_shards x max_samples_per_send samples (whole records), or what arrived
// before batch_send_deadline. Its samples are sharded by series (sharding.h) and each shard's
// requests are sent in order by one worker, retried with backoff on 5xx / 429 / transport
// errors until acknowledged; other 4xx drop the request (counted, logged verbatim). The cursor
// moves past a round only once every shard is done, so a series' samples reach the remote in
// order and a crash (kill -9) resumes from the last acknowledged round; the round in flight is
// persisted with the cursor and rebuilt identically after a restart (segment_queue.h).
//
// With protobuf_message io.prometheus.write.v2.Request, requests are Remote-Write 2.0 (symbols
// table, per-series metadata from the store, refreshed every 30 s); a receiver that answers 415,
// or 2xx without any X-Prometheus-Remote-Write-*-Written header (the spec's sign of a 1.0
// receiver that ignored the content type), makes the queue fall back to 1.0 for good: the same
// request is sent again as prometheus.WriteRequest at once.
//
// Thread-safety: Write and Stats from any thread; Start / Stop from the wiring thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "agent/config/remote_write_config.h"
#include "agent/core/clock.h"
#include "agent/core/labels.h"
#include "agent/core/rate_limiter.h"
#include "agent/core/status.h"
#include "agent/http_client/http_client.h"
#include "agent/store/queryable.h"
#include "agent/store/sample_tap.h"
#include "remote/queue_writer.h"
#include "remote/relabel.h"
#include "remote/segment_queue.h"
#include "remote/sharding.h"
#include "remote/stats.h"

namespace tocsin::remote {

// The store's metric metadata (Querier::ListMetadata), for Remote-Write 2.0's per-series
// metadata; may be empty.
using MetadataSource = std::function<std::vector<FamilyMetadata>()>;

struct QueueManagerOptions {
  RemoteWriteConfig config;
  Labels external_labels;
  std::string queue_dir;   // the queue's own directory
  std::string user_agent;  // "tocsin/<version>"
  const Clock* clock = nullptr;
  HttpClient* http = nullptr;
  MetadataSource metadata;
};

class QueueManager {
 public:
  static Result<std::unique_ptr<QueueManager>> Open(QueueManagerOptions options);
  ~QueueManager();
  QueueManager(const QueueManager&) = delete;
  QueueManager& operator=(const QueueManager&) = delete;

  void Start();
  // Stops sending (an attempt in flight finishes or times out), persists the cursor and
  // fsyncs the queue. Idempotent.
  void Stop();

  // A reload's changed configuration (same name, so the same durable queue): the sending side
  // stops (the round in flight stays persisted) and starts again from the acknowledged cursor
  // with the new url, auth, headers, TLS, relabelling, external labels, message and
  // queue_config; the writing side keeps appending meanwhile, so nothing committed is lost.
  // segment_bytes and max_queue_bytes take effect at the next restart. From the wiring thread.
  void Reconfigure(RemoteWriteConfig config, Labels external_labels, Relabeler relabeler);
  const RemoteWriteConfig& config() const { return options_.config; }
  const Labels& external_labels() const { return options_.external_labels; }

  // From the store's tap (any committing thread).
  void Write(const CommittedSamples& samples) { writer_->Write(samples); }

  RemoteWriteQueueStats Stats() const;

 private:
  class ShardPool;
  struct RefEntry {
    bool defined = false;
    bool dropped = false;  // by write_relabel_configs
    Labels labels;         // final labels (external labels, then relabelling)
    uint64_t hash = 0;
    uint64_t round = 0;  // round_id_ when round_index was set
    uint32_t round_index = 0;
  };

  explicit QueueManager(QueueManagerOptions options);
  void Run();
  void StopSender();
  // Fills the round from `pos`. `until` (when set) makes it read exactly up to that position
  // (the in-flight round after a restart). False when stopping.
  bool BuildRound(QueuePosition& pos, const QueuePosition* until, const QueuePosition& acked);
  void AddRecordSamples(const Record& record, bool skip);
  // Sends the round over `shards` shards; false when stopped before every shard finished.
  bool SendRound(size_t shards);
  // Sends one request until acknowledged or rejected; false when stopped first.
  bool SendRequest(const std::vector<SeriesSamples>& request);
  HttpRequest BaseRequest(bool v2) const;
  // The request's body (snappy-compressed protobuf) as 2.0 or 1.0.
  void Encode(const std::vector<SeriesSamples>& request, bool v2, std::string& body) const;
  // True when a 2.0 answer says the receiver does not take 2.0 (then the queue falls back).
  static bool RefusesV2(const HttpResponse& response);
  void FallBackToV1(const HttpResponse& response);
  void RefreshMetadata();
  void WaitForData(uint64_t seen_generation, std::chrono::milliseconds at_most);
  // Interruptible sleep; false when stopping.
  bool SleepFor(std::chrono::milliseconds d);
  void MaybeSync(bool force);
  void Persist(const QueueCursor& cursor);
  void Notify();
  void ObserveBatchDuration(double seconds);

  QueueManagerOptions options_;
  // Guards what Stats reads of options_ and redacted_url_ against Reconfigure (the sender thread
  // is stopped while Reconfigure writes them, so it reads them unlocked).
  mutable std::mutex config_mu_;
  const RemoteWriteQueueConfig& q_;
  std::string redacted_url_;
  Relabeler relabeler_;
  std::unique_ptr<SegmentQueue> queue_;
  std::unique_ptr<QueueWriter> writer_;
  std::unique_ptr<ShardPool> pool_;
  std::thread thread_;
  RateLimiter log_limiter_{std::chrono::seconds(5)};

  // Wake-ups: appended data and Stop.
  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t generation_ = 0;  // guarded by mu_
  std::atomic<bool> stopping_{false};
  bool started_ = false;

  // Reader state (reader thread only).
  std::vector<RefEntry> refs_;  // per-segment ref table
  std::vector<RoundSeries> round_series_;
  std::vector<RoundSample> round_samples_;
  uint64_t round_id_ = 0;
  QueuePosition resume_;  // records ending at or before it were acknowledged before a restart
  int64_t last_sync_ms_ = 0;
  std::string payload_;
  Record record_;

  // Counters for Stats.
  std::atomic<uint64_t> samples_total_{0}, samples_failed_{0}, samples_retried_{0},
      samples_dropped_{0}, bytes_total_{0}, requests_failed_{0}, processed_{0}, shards_{0};
  std::atomic<TimestampMs> highest_sent_{0};
  std::atomic<bool> v2_{false};  // Remote-Write 2.0 in use
  // Metric name -> metadata for 2.0 (replaced by the reader thread, read by the shards).
  mutable std::mutex metadata_mu_;
  std::shared_ptr<const std::unordered_map<std::string, Metadata>> metadata_;  // guarded
  int64_t metadata_loaded_ms_ = -1;                                            // reader thread only
  // pending = initial_samples_ + written - processed_ - dropped: initial_samples_ is set at
  // Open (samples in the queue) and at Reconfigure (re-read from the cursor's segment).
  std::atomic<int64_t> initial_samples_{0};
  mutable std::mutex histogram_mu_;
  std::array<uint64_t, kSentBatchDurationBuckets.size()> buckets_{};  // guarded
  uint64_t duration_count_ = 0;                                       // guarded
  double duration_sum_ = 0;                                           // guarded
};

}  // namespace tocsin::remote
