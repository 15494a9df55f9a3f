#include "remote/queue_manager.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <functional>

#include "remote/backoff.h"
#include "remote/write_request.h"

namespace tocsin::remote {
namespace {

using std::chrono::milliseconds;

std::string Base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (static_cast<uint8_t>(in[i]) << 16) | (static_cast<uint8_t>(in[i + 1]) << 8) |
                 static_cast<uint8_t>(in[i + 2]);
    for (int k = 3; k >= 0; --k) out.push_back(kAlphabet[(v >> (6 * k)) & 63]);
  }
  if (i < in.size()) {
    uint32_t v = static_cast<uint8_t>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<uint8_t>(in[i + 1]) << 8;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

// Series labels win over external labels of the same name (Prometheus's rule).
Labels WithExternalLabels(const Labels& labels, const Labels& external) {
  if (external.empty()) return labels;
  LabelsBuilder b(labels);
  for (const Label& l : external) {
    if (!labels.Has(l.name)) b.Set(l.name, l.value);
  }
  return b.Build();
}

}  // namespace

// A fixed set of shard workers, grown on demand; runs one round's shard jobs at a time.
class QueueManager::ShardPool {
 public:
  ~ShardPool() {
    {
      std::lock_guard lock(mu_);
      closing_ = true;
    }
    cv_.notify_all();
    for (std::thread& t : threads_) t.join();
  }
  void Run(std::vector<std::function<void()>> jobs) {
    std::lock_guard lock(mu_);
    while (threads_.size() < jobs.size()) threads_.emplace_back([this] { Work(); });
    remaining_ = jobs.size();
    for (auto& j : jobs) jobs_.push_back(std::move(j));
    cv_.notify_all();
  }
  // True once every job of the last Run finished; waits at most `d`.
  bool WaitDone(milliseconds d) {
    std::unique_lock lock(mu_);
    return done_cv_.wait_for(lock, d, [this] { return remaining_ == 0; });
  }

 private:
  void Work() {
    std::unique_lock lock(mu_);
    for (;;) {
      cv_.wait(lock, [this] { return closing_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // closing
      std::function<void()> job = std::move(jobs_.front());
      jobs_.pop_front();
      lock.unlock();
      job();
      lock.lock();
      if (--remaining_ == 0) done_cv_.notify_all();
    }
  }
  std::mutex mu_;
  std::condition_variable cv_, done_cv_;
  std::deque<std::function<void()>> jobs_;
  size_t remaining_ = 0;
  bool closing_ = false;
  std::vector<std::thread> threads_;
};

QueueManager::QueueManager(QueueManagerOptions options)
    : options_(std::move(options)), q_(options_.config.queue_config) {
  v2_ = options_.config.protobuf_message == kRemoteWriteV2Message;
}

QueueManager::~QueueManager() { Stop(); }

Result<std::unique_ptr<QueueManager>> QueueManager::Open(QueueManagerOptions options) {
  std::unique_ptr<QueueManager> m(new QueueManager(std::move(options)));
  Result<Relabeler> relabeler = Relabeler::Compile(m->options_.config.write_relabel_configs);
  if (!relabeler.ok()) return relabeler.status();
  m->relabeler_ = std::move(relabeler).value();
  auto queue = SegmentQueue::Open({.dir = m->options_.queue_dir,
                                   .segment_bytes = m->q_.segment_bytes,
                                   .max_bytes = m->q_.max_queue_bytes});
  if (!queue.ok()) return queue.status();
  m->queue_ = std::move(queue).value();
  m->initial_samples_ = static_cast<int64_t>(m->queue_->Counters().samples_in_queue);
  m->writer_ = std::make_unique<QueueWriter>(*m->queue_, [raw = m.get()] { raw->Notify(); });
  m->pool_ = std::make_unique<ShardPool>();
  m->redacted_url_ = RedactUrl(m->options_.config.url);
  return m;
}

void QueueManager::Start() {
  if (started_) return;
  started_ = true;
  thread_ = std::thread([this] { Run(); });
}

void QueueManager::StopSender() {
  stopping_ = true;
  {
    std::lock_guard lock(mu_);
    ++generation_;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void QueueManager::Stop() {
  StopSender();
  if (queue_) (void)queue_->Sync();
}

void QueueManager::Reconfigure(RemoteWriteConfig config, Labels external_labels,
                               Relabeler relabeler) {
  StopSender();
  {
    std::lock_guard lock(config_mu_);
    options_.config = std::move(config);  // q_ refers into it
    options_.external_labels = std::move(external_labels);
    redacted_url_ = RedactUrl(options_.config.url);
  }
  relabeler_ = std::move(relabeler);
  v2_ = options_.config.protobuf_message == kRemoteWriteV2Message;
  metadata_loaded_ms_ = -1;
  refs_.clear();
  round_series_.clear();
  round_samples_.clear();
  // Run reads the cursor's segment again from its start: count the pending samples afresh.
  SegmentQueueCounters c = queue_->Counters();
  initial_samples_ = static_cast<int64_t>(c.samples_in_queue) -
                     static_cast<int64_t>(writer_->samples_written()) +
                     static_cast<int64_t>(c.dropped_samples_total);
  processed_ = 0;
  stopping_ = false;
  if (started_) thread_ = std::thread([this] { Run(); });
  spdlog::info("remote_write {} ({}): configuration reloaded", options_.config.name, redacted_url_);
}

void QueueManager::Notify() {
  {
    std::lock_guard lock(mu_);
    ++generation_;
  }
  cv_.notify_one();
}

void QueueManager::WaitForData(uint64_t seen_generation, milliseconds at_most) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, at_most, [&] { return stopping_ || generation_ != seen_generation; });
}

bool QueueManager::SleepFor(milliseconds d) {
  std::unique_lock lock(mu_);
  return !cv_.wait_for(lock, d, [&] { return stopping_.load(); });
}

void QueueManager::MaybeSync(bool force) {
  const int64_t now = MonotonicMs(*options_.clock);
  if (!force && now - last_sync_ms_ < q_.fsync_interval.count()) return;
  last_sync_ms_ = now;
  if (Status st = queue_->Sync(); !st.ok()) {
    spdlog::error("remote_write {}: {}", options_.config.name, st.message());
  }
}

void QueueManager::Persist(const QueueCursor& cursor) {
  if (Status st = queue_->PersistCursor(cursor); !st.ok()) {
    spdlog::error("remote_write {}: cannot persist the queue cursor: {}", options_.config.name,
                  st.message());
  }
}

void QueueManager::Run() {
  const QueueCursor start = queue_->start();
  resume_ = start.acked;
  // Read the acknowledged part of the cursor's segment again for its series definitions.
  QueuePosition pos{start.acked.segment, 0};
  const bool rebuild = start.in_flight_end > start.acked && start.in_flight_shards > 0;
  bool first = true;
  QueuePosition acked = start.acked;
  // What is on disk; kept at exit, so a stop in the middle of a round (or before the rebuilt
  // one went out) leaves the round in flight to be rebuilt identically at the next start.
  QueueCursor cursor = start;
  while (!stopping_) {
    const QueuePosition* until = first && rebuild ? &start.in_flight_end : nullptr;
    if (!BuildRound(pos, until, acked)) break;
    size_t shards = until != nullptr ? start.in_flight_shards
                                     : ShardsFor(round_samples_.size(), q_.max_samples_per_send,
                                                 q_.min_shards, q_.max_shards);
    first = false;
    if (round_samples_.empty()) {
      if (pos > acked) {  // records with nothing to send (dropped by relabelling)
        acked = pos;
        cursor = {acked, acked, 0};
        Persist(cursor);
      }
      continue;
    }
    // The round in flight is persisted first, so a restart rebuilds it request for request.
    cursor = {acked, pos, static_cast<uint32_t>(shards)};
    Persist(cursor);
    if (!SendRound(shards)) break;
    acked = pos;
    cursor = {acked, acked, 0};
    processed_.fetch_add(round_samples_.size());
  }
  Persist(cursor);
  MaybeSync(true);
}

bool QueueManager::BuildRound(QueuePosition& pos, const QueuePosition* until,
                              const QueuePosition& acked) {
  round_samples_.clear();
  round_series_.clear();
  ++round_id_;
  const size_t limit = q_.max_shards * q_.max_samples_per_send;
  int64_t first_at = -1;
  for (;;) {
    if (stopping_) return false;
    MaybeSync(false);
    if (until != nullptr ? pos >= *until : round_samples_.size() >= limit) return true;
    uint64_t seen;
    {
      std::lock_guard lock(mu_);
      seen = generation_;
    }
    FrameHeader header;
    bool new_segment = false;
    SegmentQueue::Read r = queue_->ReadNext(pos, header, payload_, new_segment);
    if (new_segment) refs_.clear();
    if (r == SegmentQueue::Read::kRecord) {
      if (Status st = DecodeRecord(payload_, record_); !st.ok()) {
        spdlog::error("remote_write {}: {}", options_.config.name, st.message());
        continue;
      }
      AddRecordSamples(record_, pos <= resume_);
      if (first_at < 0 && !round_samples_.empty()) first_at = MonotonicMs(*options_.clock);
      continue;
    }
    if (until != nullptr) {
      // The in-flight round's end is past what the queue holds (its tail was lost in a power
      // cut): send what there is.
      if (round_samples_.empty()) return true;
      until = nullptr;
      return true;
    }
    milliseconds wait = q_.fsync_interval;
    if (!round_samples_.empty()) {
      int64_t left = q_.batch_send_deadline.count() - (MonotonicMs(*options_.clock) - first_at);
      if (left <= 0) return true;
      wait = std::min(wait, milliseconds(left));
    } else if (pos > acked && pos > resume_) {
      return true;  // caught up; let Run acknowledge records that had nothing to send
    }
    WaitForData(seen, wait);
  }
}

void QueueManager::AddRecordSamples(const Record& record, bool skip) {
  for (const SeriesDefinition& def : record.series) {
    if (def.ref >= refs_.size()) refs_.resize(def.ref + 1);
    RefEntry& e = refs_[def.ref];
    e = RefEntry{};
    e.defined = true;
    std::optional<Labels> final_labels =
        relabeler_.Apply(WithExternalLabels(def.labels, options_.external_labels));
    if (!final_labels) {
      e.dropped = true;
      continue;
    }
    e.labels = std::move(*final_labels);
    e.hash = e.labels.Hash();
  }
  if (skip) {
    processed_.fetch_add(record.samples.size());
    return;
  }
  const TimestampMs now = options_.clock->NowMs();
  for (const RecordSample& s : record.samples) {
    RefEntry* e = s.ref < refs_.size() ? &refs_[s.ref] : nullptr;
    bool too_old = q_.sample_age_limit.count() > 0 && now - s.t > q_.sample_age_limit.count();
    if (e == nullptr || !e->defined || e->dropped || too_old) {
      samples_dropped_.fetch_add(1);
      processed_.fetch_add(1);
      continue;
    }
    if (e->round != round_id_) {
      e->round = round_id_;
      e->round_index = static_cast<uint32_t>(round_series_.size());
      round_series_.push_back({e->labels, e->hash});
    }
    round_samples_.push_back({e->round_index, s.t, s.v});
  }
}

bool QueueManager::SendRound(size_t shards) {
  shards_ = shards;
  if (v2_) RefreshMetadata();
  auto requests = std::make_shared<std::vector<std::vector<std::vector<SeriesSamples>>>>(
      ShardRound(round_series_, round_samples_, shards, q_.max_samples_per_send));
  auto completed = std::make_shared<std::atomic<size_t>>(0);
  std::vector<std::function<void()>> jobs;
  for (size_t i = 0; i < requests->size(); ++i) {
    if ((*requests)[i].empty()) {
      completed->fetch_add(1);
      continue;
    }
    jobs.push_back([this, requests, completed, i] {
      for (const auto& request : (*requests)[i]) {
        if (!SendRequest(request)) return;
      }
      completed->fetch_add(1);
    });
  }
  pool_->Run(std::move(jobs));
  // While shards retry through an outage, the queue keeps being fsynced on schedule.
  while (!pool_->WaitDone(q_.fsync_interval)) MaybeSync(false);
  return completed->load() == requests->size();
}

void QueueManager::RefreshMetadata() {
  constexpr int64_t kRefreshMs = 30'000;
  const int64_t now = MonotonicMs(*options_.clock);
  if (!options_.metadata || (metadata_loaded_ms_ >= 0 && now - metadata_loaded_ms_ < kRefreshMs)) {
    return;
  }
  metadata_loaded_ms_ = now;
  auto map = std::make_shared<std::unordered_map<std::string, Metadata>>();
  for (FamilyMetadata& f : options_.metadata()) map->emplace(std::move(f.family), f.metadata);
  std::lock_guard lock(metadata_mu_);
  metadata_ = std::move(map);
}

void QueueManager::Encode(const std::vector<SeriesSamples>& request, bool v2,
                          std::string& body) const {
  std::string raw;
  if (!v2) {
    EncodeWriteRequest(request, raw);
  } else {
    std::shared_ptr<const std::unordered_map<std::string, Metadata>> md;
    {
      std::lock_guard lock(metadata_mu_);
      md = metadata_;
    }
    std::vector<const Metadata*> per_series;
    if (md != nullptr && !md->empty()) {
      per_series.reserve(request.size());
      for (const SeriesSamples& s : request) {
        // The family is the series name (a counter's _total included), or a histogram's or
        // summary's base name.
        std::string_view name = s.labels.Get("__name__");
        auto it = md->find(std::string(name));
        for (std::string_view suffix : {"_bucket", "_count", "_sum"}) {
          if (it != md->end()) break;
          if (name.ends_with(suffix)) {
            it = md->find(std::string(name.substr(0, name.size() - suffix.size())));
          }
        }
        per_series.push_back(it == md->end() ? nullptr : &it->second);
      }
    }
    EncodeWriteRequestV2(request, per_series, raw);
  }
  SnappyCompress(raw, body);
}

bool QueueManager::RefusesV2(const HttpResponse& response) {
  if (response.status == 415) return true;
  return response.Ok2xx() && response.Header("x-prometheus-remote-write-samples-written").empty() &&
         response.Header("x-prometheus-remote-write-histograms-written").empty() &&
         response.Header("x-prometheus-remote-write-exemplars-written").empty();
}

void QueueManager::FallBackToV1(const HttpResponse& response) {
  if (!v2_.exchange(false)) return;
  spdlog::warn(
      "remote_write {} ({}): the remote does not take Remote-Write 2.0 ({}); sending "
      "prometheus.WriteRequest (1.0) from now on",
      options_.config.name, redacted_url_,
      response.status == 415 ? std::string("HTTP 415 Unsupported Media Type")
                             : "HTTP " + std::to_string(response.status) +
                                   " without X-Prometheus-Remote-Write-*-Written headers");
}

HttpRequest QueueManager::BaseRequest(bool v2) const {
  const RemoteWriteConfig& c = options_.config;
  HttpRequest r;
  r.method = "POST";
  r.url = c.url;
  r.timeout = c.remote_timeout;
  for (const auto& [k, v] : c.headers) r.headers.emplace_back(k, v);
  r.headers.emplace_back("Content-Encoding", "snappy");
  r.headers.emplace_back("Content-Type",
                         v2 ? "application/x-protobuf;proto=io.prometheus.write.v2.Request"
                            : "application/x-protobuf");
  r.headers.emplace_back("User-Agent", options_.user_agent);
  r.headers.emplace_back("X-Prometheus-Remote-Write-Version", v2 ? "2.0.0" : "0.1.0");
  if (!c.basic_auth_username.empty()) {
    r.headers.emplace_back("Authorization",
                           "Basic " + Base64(c.basic_auth_username + ":" + c.basic_auth_password));
  } else if (!c.authorization_credentials.empty()) {
    r.headers.emplace_back("Authorization",
                           c.authorization_type + " " + c.authorization_credentials);
  }
  r.verify_tls = !c.tls_insecure_skip_verify;
  r.ca_file = c.tls_ca_file;
  r.cert_file = c.tls_cert_file;
  r.key_file = c.tls_key_file;
  r.proxy_url = c.proxy_url;
  r.reuse_connection = true;  // one TCP (and TLS) connection per shard, not per request
  return r;
}

bool QueueManager::SendRequest(const std::vector<SeriesSamples>& request) {
  size_t samples = 0;
  TimestampMs highest = 0;
  for (const SeriesSamples& s : request) {
    samples += s.samples.size();
    if (!s.samples.empty()) highest = std::max(highest, s.samples.back().first);
  }
  bool v2 = v2_;
  HttpRequest http = BaseRequest(v2);
  Encode(request, v2, http.body);
  milliseconds backoff{0};
  uint64_t suppressed = 0;
  while (!stopping_) {
    const int64_t started = MonotonicMs(*options_.clock);
    HttpResponse response = options_.http->Do(http);
    ObserveBatchDuration(static_cast<double>(MonotonicMs(*options_.clock) - started) / 1000.0);
    if (v2 && RefusesV2(response)) {
      // The spec's fallback: the same data again, as 1.0, without waiting.
      FallBackToV1(response);
      v2 = false;
      http = BaseRequest(false);
      Encode(request, false, http.body);
      continue;
    }
    if (v2 && response.Ok2xx()) {
      std::string written = response.Header("x-prometheus-remote-write-samples-written");
      if (!written.empty() && written != std::to_string(samples) &&
          log_limiter_.Allow("partial", suppressed)) {
        spdlog::warn("remote_write {} ({}): the remote answered {} but wrote {} of {} samples",
                     options_.config.name, redacted_url_, response.status, written, samples);
      }
    }
    switch (ClassifyResponse(response, q_.retry_on_http_429)) {
      case SendOutcome::kAcknowledged: {
        samples_total_.fetch_add(samples);
        bytes_total_.fetch_add(http.body.size());
        TimestampMs prev = highest_sent_.load();
        while (highest > prev && !highest_sent_.compare_exchange_weak(prev, highest)) {
        }
        return true;
      }
      case SendOutcome::kRejected:
        samples_failed_.fetch_add(samples);
        requests_failed_.fetch_add(1);
        if (log_limiter_.Allow("rejected", suppressed)) {
          spdlog::error(
              "remote_write {} ({}): the remote rejected {} samples with HTTP {}; they are "
              "dropped (not retried): {}{}",
              options_.config.name, redacted_url_, samples, response.status, response.body,
              suppressed > 0 ? " (" + std::to_string(suppressed) + " similar suppressed)" : "");
        }
        return true;
      case SendOutcome::kRetry:
        break;
    }
    samples_retried_.fetch_add(samples);
    requests_failed_.fetch_add(1);
    backoff = NextBackoff(backoff, q_.min_backoff, q_.max_backoff);
    milliseconds delay = RetryDelay(response, backoff, options_.clock->NowMs());
    if (log_limiter_.Allow("retry", suppressed)) {
      std::string why = response.status == 0 ? response.error
                                             : "HTTP " + std::to_string(response.status) + ": " +
                                                   response.body.substr(0, 512);
      spdlog::warn("remote_write {} ({}): send of {} samples failed, retrying in {} ms: {}",
                   options_.config.name, redacted_url_, samples, delay.count(), why);
    }
    if (!SleepFor(delay)) return false;
  }
  return false;
}

void QueueManager::ObserveBatchDuration(double seconds) {
  std::lock_guard lock(histogram_mu_);
  for (size_t i = 0; i < kSentBatchDurationBuckets.size(); ++i) {
    if (seconds <= kSentBatchDurationBuckets[i]) ++buckets_[i];
  }
  ++duration_count_;
  duration_sum_ += seconds;
}

RemoteWriteQueueStats QueueManager::Stats() const {
  RemoteWriteQueueStats s;
  {
    // Reconfigure replaces these while Stats may run on a scrape thread.
    std::lock_guard lock(config_mu_);
    s.remote_name = options_.config.name;
    s.url = redacted_url_;
    s.shards_max = q_.max_shards;
    s.shards_min = q_.min_shards;
    s.shard_capacity = q_.capacity;
  }
  s.samples_total = samples_total_.load();
  s.samples_failed_total = samples_failed_.load();
  s.samples_retried_total = samples_retried_.load();
  s.samples_dropped_total = samples_dropped_.load();
  s.bytes_total = bytes_total_.load();
  s.requests_failed_total = requests_failed_.load();
  s.highest_timestamp_seconds = static_cast<double>(writer_->highest_timestamp()) / 1000.0;
  s.highest_sent_timestamp_seconds = static_cast<double>(highest_sent_.load()) / 1000.0;
  s.shards = shards_.load();
  s.protobuf_message_version = v2_ ? 2 : 1;
  SegmentQueueCounters c = queue_->Counters();
  s.queue_segments = c.segments;
  s.queue_bytes = c.bytes;
  s.queue_corruptions_total = c.corruptions_total;
  s.queue_dropped_segments_total = c.dropped_segments_total;
  s.queue_dropped_samples_total = c.dropped_samples_total;
  s.queue_write_errors_total = writer_->write_errors();
  const int64_t in = initial_samples_.load() + static_cast<int64_t>(writer_->samples_written());
  const int64_t out = static_cast<int64_t>(processed_.load() + c.dropped_samples_total);
  s.samples_pending = in > out ? static_cast<uint64_t>(in - out) : 0;
  std::lock_guard lock(histogram_mu_);
  s.batch_duration_buckets = buckets_;
  s.batch_duration_count = duration_count_;
  s.batch_duration_sum_seconds = duration_sum_;
  return s;
}

}  // namespace tocsin::remote
