// DeliveryWorker: the delivery engine for ONE integration of one receiver (one queue, one
// thread), so a dead or slow receiver never delays another. It owns the integration's
// Notifier and its DurableQueue and applies, in one place: outcome handling (ok / retry / drop),
// exponential backoff with jitter (bounded by max_backoff), Retry-After (not_before), a token
// bucket rate limit, a circuit breaker (open after N consecutive failures for a cooldown), a
// maximum age, the queue bound with oldest-first dropping, and superseding of an undelivered
// notification by a newer one of the same alert group.
//
// Thread-safe: Enqueue/Stats from any thread; Run() on the worker's own thread (Start) or
// ProcessOnce() from a test. Time from the injected Clock, which must outlive the worker.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>

#include "agent/core/clock.h"
#include "notifiers/config.h"
#include "notifiers/durable_queue.h"
#include "notifiers/notifier.h"
#include "notifiers/stats.h"

namespace tocsin {

class DeliveryWorker {
 public:
  DeliveryWorker(std::string receiver, int index, std::unique_ptr<Notifier> notifier,
                 const DeliveryConfig& config, const Clock& clock, std::string queue_dir);
  ~DeliveryWorker();
  DeliveryWorker(const DeliveryWorker&) = delete;
  DeliveryWorker& operator=(const DeliveryWorker&) = delete;

  // Loads notifications left from a previous run (call before Start). Returns how many.
  Result<size_t> Recover();
  // Persists the notification (when durable) and queues it. Never blocks on delivery.
  void Enqueue(Notification n);

  void Start();
  void Stop();  // finishes the attempt in flight; what is queued stays on disk
  // One step without a thread: sends the head if it is due. True when a Send happened.
  bool ProcessOnce();
  // Wakes the thread (e.g. after a FakeClock moved).
  void Kick() { cv_.notify_all(); }

  IntegrationStats Stats() const;
  size_t QueueLength() const;
  Notifier& notifier() { return *notifier_; }
  // "<receiver>/<integration>[<index>]" for logs.
  const std::string& name() const { return name_; }

 private:
  struct Item {
    QueuedNotification q;
    int attempts = 0;
  };
  void Run();
  // Milliseconds on the monotonic clock: every wait below runs on it, so stepping the wall
  // clock never stalls or hurries a retry; wall time is only for enqueued_at and max_age.
  int64_t MonoMs() const;
  // Earliest monotonic time the head may be sent (backoff, Retry-After, breaker, rate limit).
  int64_t NextDueLocked(int64_t mono_now);
  void HandleResultLocked(const Item& item, const SendResult& r, TimestampMs now, int64_t mono);
  void PopHeadLocked();
  // Adds to `n` the resolved alerts of the queued notifications of its group that it lacks.
  void CarryOverResolvedLocked(Notification& n) const;
  std::chrono::milliseconds BackoffLocked();

  std::string receiver_;
  int index_;
  std::unique_ptr<Notifier> notifier_;
  DeliveryConfig config_;
  const Clock& clock_;
  std::string name_;
  RateLimitConfig rate_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  DurableQueue store_;
  std::deque<Item> queue_;
  std::vector<uint64_t> done_;  // files to unlink once the lock is released
  bool in_flight_ = false;
  int64_t retry_at_ = 0;  // monotonic: backoff / Retry-After for the head
  int consecutive_failures_ = 0;
  int64_t breaker_open_until_ = 0;  // monotonic
  double tokens_ = 0;
  int64_t tokens_at_ = 0;  // monotonic
  std::mt19937_64 rng_{std::random_device{}()};
  IntegrationStats stats_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace tocsin
