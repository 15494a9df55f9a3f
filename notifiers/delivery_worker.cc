#include "notifiers/delivery_worker.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "agent/core/internal_errors.h"

namespace tocsin {

namespace {
constexpr TimestampMs kMaxRetryAfterMs = 3600 * 1000;  // a garbage Retry-After never stalls longer
}

DeliveryWorker::DeliveryWorker(std::string receiver, int index, std::unique_ptr<Notifier> notifier,
                               const DeliveryConfig& config, const Clock& clock,
                               std::string queue_dir)
    : receiver_(std::move(receiver)),
      index_(index),
      notifier_(std::move(notifier)),
      config_(config),
      clock_(clock),
      name_(receiver_ + "/" + std::string(notifier_->Integration()) + "[" + std::to_string(index) +
            "]"),
      rate_(notifier_->RateLimit()),
      store_(std::move(queue_dir)) {
  stats_.receiver = receiver_;
  stats_.integration = std::string(notifier_->Integration());
  stats_.index = index_;
  tokens_ = rate_.burst;
  tokens_at_ = MonoMs();
}

DeliveryWorker::~DeliveryWorker() { Stop(); }

Result<size_t> DeliveryWorker::Recover() {
  std::lock_guard<std::mutex> lock(mu_);
  size_t corrupt = 0;
  auto items = store_.Recover(&corrupt);
  if (!items.ok()) return items.status();
  if (corrupt > 0) spdlog::warn("notify {}: {} unreadable queue files set aside", name_, corrupt);
  for (QueuedNotification& q : *items) {
    queue_.push_back(Item{std::move(q), 0});
    ++stats_.notifications_total;
  }
  return items->size();
}

void DeliveryWorker::CarryOverResolvedLocked(Notification& n) const {
  // The group forgets an alert once a flush carrying its resolve was handed over (as
  // Alertmanager deletes it after notifying), so a newer flush no longer lists it: take the
  // resolves of the notifications it supersedes along, or they would never be sent.
  std::set<uint64_t> present;
  for (const Alert& a : n.alerts) present.insert(a.Fingerprint());
  for (size_t i = 0; i < queue_.size(); ++i) {
    if (in_flight_ && i == 0) continue;  // the head in flight is not superseded
    const Notification& old = queue_[i].q.notification;
    if (old.group_key != n.group_key) continue;
    for (const Alert& a : old.alerts) {
      if (a.ends_at != 0 && present.insert(a.Fingerprint()).second) n.alerts.push_back(a);
    }
  }
}

void DeliveryWorker::Enqueue(Notification n) {
  Item item;
  item.q.enqueued_at = clock_.NowMs();
  item.q.notification = std::move(n);
  {
    std::lock_guard<std::mutex> lock(mu_);
    item.q.seq = store_.NextSeq();
    CarryOverResolvedLocked(item.q.notification);
  }
  // Written and fsynced before anything it supersedes is unlinked, and outside the lock.
  Status st = store_.Write(item.q);
  if (!st.ok()) {
    spdlog::error("notify {}: cannot persist notification (delivering from memory): {}", name_,
                  st.message());
  }
  std::vector<uint64_t> unlink;
  {
    std::lock_guard<std::mutex> lock(mu_);
    // A newer flush of the same group replaces what has not been sent yet: it carries the
    // whole group state, and sending the old one after it would reorder trigger/resolve.
    const std::string& key = item.q.notification.group_key;
    for (auto it = queue_.begin(); it != queue_.end();) {
      bool head_busy = in_flight_ && it == queue_.begin();
      if (!head_busy && it->q.notification.group_key == key) {
        unlink.push_back(it->q.seq);
        if (it == queue_.begin()) retry_at_ = 0;
        it = queue_.erase(it);
        ++stats_.superseded_total;
      } else {
        ++it;
      }
    }
    while (queue_.size() >= std::max<size_t>(1, config_.queue_capacity)) {
      auto victim = queue_.begin();
      if (in_flight_) ++victim;
      if (victim == queue_.end()) break;
      spdlog::warn("notify {}: queue full ({}), dropping the oldest notification", name_,
                   config_.queue_capacity);
      unlink.push_back(victim->q.seq);
      if (victim == queue_.begin()) retry_at_ = 0;
      queue_.erase(victim);
      ++stats_.dropped_total;
      ++stats_.dropped_queue_full;
    }
    queue_.push_back(std::move(item));
    ++stats_.notifications_total;
  }
  cv_.notify_all();
  store_.Remove(unlink);
}

std::chrono::milliseconds DeliveryWorker::BackoffLocked() {
  double base = static_cast<double>(config_.initial_backoff.count()) *
                std::pow(2.0, std::min(consecutive_failures_ - 1, 30));
  base = std::min(base, static_cast<double>(config_.max_backoff.count()));
  std::uniform_real_distribution<double> jitter(0.5, 1.0);
  return std::chrono::milliseconds(static_cast<int64_t>(base * jitter(rng_)));
}

int64_t DeliveryWorker::MonoMs() const { return MonotonicMs(clock_); }

int64_t DeliveryWorker::NextDueLocked(int64_t now) {
  TimestampMs due = std::max(retry_at_, breaker_open_until_);
  if (rate_.per_second > 0) {
    double refill = static_cast<double>(now - tokens_at_) / 1000.0 * rate_.per_second;
    tokens_ = std::min(rate_.burst, tokens_ + std::max(0.0, refill));
    tokens_at_ = now;
    if (tokens_ < 1.0) {
      due = std::max(due, now + static_cast<TimestampMs>(
                                    std::ceil((1.0 - tokens_) / rate_.per_second * 1000.0)));
    }
  }
  return due;
}

void DeliveryWorker::PopHeadLocked() {
  done_.push_back(queue_.front().q.seq);
  queue_.pop_front();
  retry_at_ = 0;
}

void DeliveryWorker::HandleResultLocked(const Item& item, const SendResult& r, TimestampMs now,
                                        int64_t mono) {
  // The head may have been superseded while in flight only if it was not in flight; it was, so
  // queue_.front() is still `item`.
  switch (r.outcome) {
    case SendResult::Outcome::kOk: {
      double latency = static_cast<double>(now - item.q.enqueued_at) / 1000.0;
      for (size_t i = 0; i < kDeliveryLatencyBuckets.size(); ++i) {
        if (latency <= kDeliveryLatencyBuckets[i]) ++stats_.latency_buckets[i];
      }
      ++stats_.latency_count;
      stats_.latency_sum_seconds += latency;
      ++stats_.delivered_total;
      if (stats_.breaker_open) spdlog::info("notify {}: delivering again, breaker closed", name_);
      consecutive_failures_ = 0;
      breaker_open_until_ = 0;
      stats_.breaker_open = false;
      PopHeadLocked();
      return;
    }
    case SendResult::Outcome::kDrop:
      ++stats_.failed_total;
      ++stats_.dropped_total;
      ++stats_.dropped_rejected;
      consecutive_failures_ = 0;
      spdlog::error("notify {}: notification rejected, dropped (group {}): {}", name_,
                    item.q.notification.group_key, r.detail);
      PopHeadLocked();
      return;
    case SendResult::Outcome::kRetry:
      break;
  }
  ++stats_.failed_total;
  if (now - item.q.enqueued_at >= config_.max_age.count()) {
    ++stats_.dropped_total;
    ++stats_.dropped_expired;
    spdlog::error("notify {}: giving up after {} attempts (older than max_age): {}", name_,
                  item.attempts, r.detail);
    PopHeadLocked();
    return;
  }
  if (r.not_before) {
    // The receiver said when (429/503 with Retry-After): that is flow control, not a fault. Wait
    // exactly that long (bounded), and leave the breaker and the backoff as they were.
    TimestampMs delay = std::clamp<TimestampMs>(*r.not_before - now, 0, kMaxRetryAfterMs);
    retry_at_ = mono + delay;
    spdlog::warn("notify {}: attempt {} deferred by the receiver for {} ms: {}", name_,
                 item.attempts, delay, r.detail);
    return;
  }
  ++consecutive_failures_;
  // Between attempts: the exponential backoff, but never longer than the breaker's cooldown,
  // so a receiver that comes back is probed within one cooldown however long it was away.
  int64_t wait = std::min<int64_t>(BackoffLocked().count(), config_.breaker_cooldown.count());
  retry_at_ = mono + wait;
  if (consecutive_failures_ >= config_.breaker_failures && !stats_.breaker_open) {
    stats_.breaker_open = true;
    breaker_open_until_ = mono + config_.breaker_cooldown.count();
    spdlog::warn("notify {}: {} consecutive failures, breaker open for {} ms: {}", name_,
                 consecutive_failures_, config_.breaker_cooldown.count(), r.detail);
  } else if (stats_.breaker_open) {
    // Half-open probe failed: stay open another cooldown.
    breaker_open_until_ = mono + config_.breaker_cooldown.count();
  } else {
    spdlog::warn("notify {}: attempt {} failed, retrying in {} ms: {}", name_, item.attempts, wait,
                 r.detail);
  }
}

bool DeliveryWorker::ProcessOnce() {
  std::unique_lock<std::mutex> lock(mu_);
  if (queue_.empty() || in_flight_) return false;
  int64_t mono = MonoMs();
  if (mono < NextDueLocked(mono)) return false;
  if (rate_.per_second > 0) tokens_ -= 1.0;
  in_flight_ = true;
  Item& head = queue_.front();
  ++head.attempts;
  Item item = head;  // a copy: Send runs unlocked
  lock.unlock();
  // A notifier that throws is a bug: the attempt counts as failed and is retried with backoff,
  // so the page is not lost and the thread lives on.
  SendResult r;
  if (!Guarded("delivery", [&] { r = notifier_->Send(item.q.notification); })) {
    r = SendResult::Retry("internal error in the notifier (see the log)");
  }
  lock.lock();
  in_flight_ = false;
  HandleResultLocked(item, r, clock_.NowMs(), MonoMs());
  std::vector<uint64_t> done = std::move(done_);
  done_.clear();
  lock.unlock();
  store_.Remove(done);
  return true;
}

void DeliveryWorker::Run() {
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (stop_) return;
      if (queue_.empty()) {
        cv_.wait_for(lock, std::chrono::seconds(1));
        continue;
      }
      int64_t now = MonoMs();
      int64_t due = NextDueLocked(now);
      if (now < due) {
        // Bounded wait: a FakeClock moves without notifying us.
        cv_.wait_for(lock, std::chrono::milliseconds(std::min<TimestampMs>(due - now, 200)));
        continue;
      }
    }
    Guarded("delivery", [this] { ProcessOnce(); });
  }
}

void DeliveryWorker::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { Run(); });
}

void DeliveryWorker::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

IntegrationStats DeliveryWorker::Stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  IntegrationStats s = stats_;
  s.queue_length = queue_.size();
  return s;
}

size_t DeliveryWorker::QueueLength() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size();
}

}  // namespace tocsin
