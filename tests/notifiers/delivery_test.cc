// The delivery engine of one integration on a FakeClock: outcomes, backoff with jitter,
// Retry-After, circuit breaker, rate limit, queue bound, superseding, max age, and recovery of
// the durable queue by a new worker (what a restart does).
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "notifiers/delivery_worker.h"
#include "tests/notifiers/test_util.h"

namespace tocsin {
namespace {

using namespace std::chrono_literals;
using O = SendResult::Outcome;

// Answers from a script (default ok) and records the group keys it was asked to send.
class ScriptedNotifier : public Notifier {
 public:
  explicit ScriptedNotifier(RateLimitConfig rate = {}) : rate_(rate) {}
  std::string_view Integration() const override { return "webhook"; }
  bool SendResolved() const override { return true; }
  RateLimitConfig RateLimit() const override { return rate_; }
  SendResult Send(const Notification& n) override {
    sent.push_back(n.group_key);
    sent_notifications.push_back(n);
    if (script.empty()) return SendResult::Ok();
    SendResult r = script.front();
    script.pop_front();
    return r;
  }
  std::deque<SendResult> script;
  std::vector<std::string> sent;
  std::vector<Notification> sent_notifications;

 private:
  RateLimitConfig rate_;
};

Notification N(const std::string& key) {
  Notification n;
  n.receiver = "r";
  n.group_key = key;
  n.alerts.push_back(testing::MakeAlert({{"alertname", key}}, 1));
  return n;
}

class NotifiersDelivery : public ::testing::Test {
 protected:
  DeliveryWorker& Make(RateLimitConfig rate = {}, std::string dir = "") {
    auto n = std::make_unique<ScriptedNotifier>(rate);
    notifier_ = n.get();
    worker_ = std::make_unique<DeliveryWorker>("r", 0, std::move(n), config_, clock_, dir);
    return *worker_;
  }
  FakeClock clock_{1'000'000};
  DeliveryConfig config_;
  ScriptedNotifier* notifier_ = nullptr;
  std::unique_ptr<DeliveryWorker> worker_;
};

TEST_F(NotifiersDelivery, OkDeliversAndMeasuresLatency) {
  DeliveryWorker& w = Make();
  w.Enqueue(N("a"));
  clock_.Advance(300ms);
  EXPECT_TRUE(w.ProcessOnce());
  EXPECT_FALSE(w.ProcessOnce());
  IntegrationStats s = w.Stats();
  EXPECT_EQ(s.notifications_total, 1u);
  EXPECT_EQ(s.delivered_total, 1u);
  EXPECT_EQ(s.queue_length, 0u);
  EXPECT_EQ(s.latency_count, 1u);
  EXPECT_EQ(s.latency_buckets[0], 0u);  // 0.3 s > 0.1
  EXPECT_EQ(s.latency_buckets[2], 1u);  // <= 0.5
}

TEST_F(NotifiersDelivery, ExponentialBackoffWithBoundedJitter) {
  config_.initial_backoff = 1s;
  config_.max_backoff = 8s;
  config_.breaker_failures = 100;
  config_.breaker_cooldown = 60s;  // above max_backoff: the backoff alone sets the waits
  DeliveryWorker& w = Make();
  for (int i = 0; i < 6; ++i) notifier_->script.push_back(SendResult::Retry("HTTP 500"));
  w.Enqueue(N("a"));
  ASSERT_TRUE(w.ProcessOnce());
  // Attempt k waits in [base/2, base], base = min(1s * 2^(k-1), 8s).
  std::vector<int64_t> bases = {1000, 2000, 4000, 8000, 8000, 8000};
  for (size_t k = 0; k < bases.size(); ++k) {
    clock_.Advance(std::chrono::milliseconds(bases[k] / 2 - 1));
    EXPECT_FALSE(w.ProcessOnce()) << "attempt " << k + 2 << " too early";
    clock_.Advance(std::chrono::milliseconds(bases[k] / 2 + 1));
    EXPECT_TRUE(w.ProcessOnce()) << "attempt " << k + 2 << " late";
  }
  EXPECT_EQ(notifier_->sent.size(), 7u);
  EXPECT_EQ(w.Stats().failed_total, 6u);
  EXPECT_EQ(w.Stats().delivered_total, 1u);
}

TEST_F(NotifiersDelivery, RetryAfterIsHonoured) {
  config_.initial_backoff = 100ms;
  DeliveryWorker& w = Make();
  notifier_->script.push_back(SendResult::Retry("HTTP 429", clock_.NowMs() + 30'000));
  w.Enqueue(N("a"));
  ASSERT_TRUE(w.ProcessOnce());
  clock_.Advance(29'999ms);
  EXPECT_FALSE(w.ProcessOnce());
  clock_.Advance(1ms);
  EXPECT_TRUE(w.ProcessOnce());
  EXPECT_EQ(w.Stats().delivered_total, 1u);
}

TEST_F(NotifiersDelivery, RejectedIsDroppedAndCounted) {
  DeliveryWorker& w = Make();
  notifier_->script.push_back(SendResult::Drop("HTTP 400: invalid event"));
  w.Enqueue(N("a"));
  w.Enqueue(N("b"));
  ASSERT_TRUE(w.ProcessOnce());
  ASSERT_TRUE(w.ProcessOnce());  // the next one is not held back
  IntegrationStats s = w.Stats();
  EXPECT_EQ(s.dropped_total, 1u);
  EXPECT_EQ(s.dropped_rejected, 1u);
  EXPECT_EQ(s.failed_total, 1u);
  EXPECT_EQ(s.delivered_total, 1u);
  EXPECT_EQ(notifier_->sent, (std::vector<std::string>{"a", "b"}));
}

TEST_F(NotifiersDelivery, CircuitBreakerOpensAndHalfOpens) {
  config_.initial_backoff = 10ms;
  config_.max_backoff = 10ms;
  config_.breaker_failures = 3;
  config_.breaker_cooldown = 60s;
  DeliveryWorker& w = Make();
  for (int i = 0; i < 4; ++i) notifier_->script.push_back(SendResult::Retry("refused"));
  w.Enqueue(N("a"));
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(w.ProcessOnce());
    clock_.Advance(10ms);
  }
  EXPECT_TRUE(w.Stats().breaker_open);
  clock_.Advance(59'900ms);
  EXPECT_FALSE(w.ProcessOnce());
  clock_.Advance(100ms);
  EXPECT_TRUE(w.ProcessOnce());  // half-open probe fails: open again
  EXPECT_TRUE(w.Stats().breaker_open);
  clock_.Advance(30s);
  EXPECT_FALSE(w.ProcessOnce());
  clock_.Advance(30s);
  EXPECT_TRUE(w.ProcessOnce());  // succeeds: closed
  EXPECT_FALSE(w.Stats().breaker_open);
  EXPECT_EQ(w.Stats().delivered_total, 1u);
}

// The sequence: refused, two 500s, two 429s with Retry-After, then an outage of
// `outage`; the receiver then recovers. With the default delivery settings the page arrives
// within 10 s of the recovery, and the 429s do not count toward the breaker.
class FlakyNotifier : public Notifier {
 public:
  FlakyNotifier(const FakeClock& clock, TimestampMs recover_at)
      : clock_(clock), recover_at_(recover_at) {}
  std::string_view Integration() const override { return "webhook"; }
  bool SendResolved() const override { return true; }
  RateLimitConfig RateLimit() const override { return {}; }
  SendResult Send(const Notification&) override {
    ++attempts;
    TimestampMs now = clock_.NowMs();
    switch (attempts) {
      case 1:
        return SendResult::Retry("network error: connection refused");
      case 2:
      case 3:
        return SendResult::Retry("HTTP 500");
      case 4:
      case 5:
        return SendResult::Retry("HTTP 429", now + 2000);
      default:
        if (now < recover_at_) return SendResult::Retry("network error: connection refused");
        if (ok_at == 0) ok_at = now;
        return SendResult::Ok();
    }
  }
  int attempts = 0;
  TimestampMs ok_at = 0;

 private:
  const FakeClock& clock_;
  TimestampMs recover_at_;
};

TEST_F(NotifiersDelivery, RecoveredReceiverGetsThePageWithinTenSeconds) {
  for (std::chrono::milliseconds outage : {0ms, 10'000ms, 600'000ms, 3'600'000ms}) {
    FakeClock clock(1'000'000);
    TimestampMs start = clock.NowMs();
    // Faults take the first few seconds (backoff and Retry-After), then the outage.
    TimestampMs recover_at = start + 8'000 + outage.count();
    auto n = std::make_unique<FlakyNotifier>(clock, recover_at);
    FlakyNotifier* flaky = n.get();
    DeliveryWorker w("r", 0, std::move(n), DeliveryConfig{}, clock, "");
    w.Enqueue(N("a"));
    while (flaky->ok_at == 0 && clock.NowMs() < recover_at + 60'000) {
      w.ProcessOnce();
      clock.Advance(100ms);
    }
    ASSERT_NE(flaky->ok_at, 0) << "outage " << outage.count() << " ms: never delivered";
    EXPECT_LE(flaky->ok_at - recover_at, 10'000) << "outage " << outage.count() << " ms";
    EXPECT_EQ(w.Stats().delivered_total, 1u);
  }
}

TEST_F(NotifiersDelivery, RetryAfterDefersWithoutOpeningTheBreaker) {
  config_.breaker_failures = 2;
  DeliveryWorker& w = Make();
  for (int i = 0; i < 3; ++i) {
    notifier_->script.push_back(SendResult::Retry("HTTP 429", clock_.NowMs() + 1000 * (i + 1)));
  }
  w.Enqueue(N("a"));
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(w.ProcessOnce());
    EXPECT_FALSE(w.Stats().breaker_open) << "after 429 number " << i + 1;
    clock_.Advance(3s);
  }
  EXPECT_TRUE(w.ProcessOnce());
  EXPECT_EQ(w.Stats().delivered_total, 1u);
}

// Retries wait on the monotonic clock: a wall clock stepped back an hour does not hold them.
TEST_F(NotifiersDelivery, WallClockSteppedBackDoesNotStallRetries) {
  config_.initial_backoff = 1s;
  config_.max_backoff = 1s;
  DeliveryWorker& w = Make();
  notifier_->script.push_back(SendResult::Retry("HTTP 500"));
  w.Enqueue(N("a"));
  ASSERT_TRUE(w.ProcessOnce());
  clock_.StepWall(-1h);
  clock_.Advance(1s);
  EXPECT_TRUE(w.ProcessOnce());
  EXPECT_EQ(w.Stats().delivered_total, 1u);
}

TEST_F(NotifiersDelivery, RateLimitOnePerSecond) {
  DeliveryWorker& w = Make(RateLimitConfig{1, 1});
  for (const char* k : {"a", "b", "c"}) w.Enqueue(N(k));
  EXPECT_TRUE(w.ProcessOnce());
  EXPECT_FALSE(w.ProcessOnce());
  clock_.Advance(999ms);
  EXPECT_FALSE(w.ProcessOnce());
  clock_.Advance(1ms);
  EXPECT_TRUE(w.ProcessOnce());
  clock_.Advance(1s);
  EXPECT_TRUE(w.ProcessOnce());
  EXPECT_EQ(notifier_->sent.size(), 3u);
}

TEST_F(NotifiersDelivery, BoundDropsOldestAndSupersedes) {
  config_.queue_capacity = 3;
  DeliveryWorker& w = Make();
  for (const char* k : {"a", "b", "c", "d", "e"}) w.Enqueue(N(k));
  w.Enqueue(N("d"));  // supersedes the queued "d"
  IntegrationStats s = w.Stats();
  EXPECT_EQ(s.dropped_queue_full, 2u);
  EXPECT_EQ(s.superseded_total, 1u);
  EXPECT_EQ(s.queue_length, 3u);
  while (w.ProcessOnce()) {
  }
  EXPECT_EQ(notifier_->sent, (std::vector<std::string>{"c", "e", "d"}));
}

// A flush that supersedes a queued one keeps the resolves it carried: the group forgot those
// alerts when the first flush was handed over (found by the soak test: resolve never sent).
TEST_F(NotifiersDelivery, SupersedingKeepsTheResolvesOfTheSupersededNotification) {
  DeliveryWorker& w = Make();
  Notification first;
  first.group_key = "g";
  first.alerts = {testing::MakeAlert({{"alertname", "X"}, {"i", "1"}}, 1, 0),
                  testing::MakeAlert({{"alertname", "X"}, {"i", "2"}}, 1, 500)};  // resolved
  Notification second;
  second.group_key = "g";
  second.alerts = {testing::MakeAlert({{"alertname", "X"}, {"i", "1"}}, 1, 0),
                   testing::MakeAlert({{"alertname", "X"}, {"i", "3"}}, 1, 0)};
  w.Enqueue(first);
  w.Enqueue(second);
  EXPECT_EQ(w.Stats().superseded_total, 1u);
  ASSERT_TRUE(w.ProcessOnce());
  ASSERT_EQ(notifier_->sent_notifications.size(), 1u);
  std::map<std::string, TimestampMs> got;
  for (const Alert& a : notifier_->sent_notifications[0].alerts) {
    got[std::string(a.labels.Get("i"))] = a.ends_at;
  }
  EXPECT_EQ(got, (std::map<std::string, TimestampMs>{{"1", 0}, {"2", 500}, {"3", 0}}));
}

TEST_F(NotifiersDelivery, GivesUpAfterMaxAge) {
  config_.max_age = 1h;
  config_.initial_backoff = 1min;
  config_.max_backoff = 1min;
  config_.breaker_failures = 1000;
  DeliveryWorker& w = Make();
  for (int i = 0; i < 100; ++i) notifier_->script.push_back(SendResult::Retry("HTTP 503"));
  w.Enqueue(N("a"));
  int attempts = 0;
  while (w.QueueLength() > 0 && attempts < 200) {
    if (w.ProcessOnce()) ++attempts;
    clock_.Advance(1min);
  }
  EXPECT_EQ(w.QueueLength(), 0u);
  EXPECT_EQ(w.Stats().dropped_expired, 1u);
  EXPECT_LE(attempts, 121);
}

TEST_F(NotifiersDelivery, DurableQueueSurvivesANewWorker) {
  std::string dir = testing::TempDir("durable") + "/q";
  {
    DeliveryWorker& w = Make({}, dir);
    ASSERT_TRUE(w.Recover().ok());
    for (const char* k : {"a", "b", "c"}) w.Enqueue(N(k));
    notifier_->script.push_back(SendResult::Retry("down"));
    ASSERT_TRUE(w.ProcessOnce());  // fails: nothing delivered
    worker_.reset();               // "restart"
  }
  size_t files = 0;
  for (auto& e : std::filesystem::directory_iterator(dir)) files += e.path().extension() == ".ntf";
  EXPECT_EQ(files, 3u);
  DeliveryWorker& w2 = Make({}, dir);
  auto recovered = w2.Recover();
  ASSERT_TRUE(recovered.ok());
  EXPECT_EQ(*recovered, 3u);
  while (w2.ProcessOnce()) {
  }
  EXPECT_EQ(notifier_->sent, (std::vector<std::string>{"a", "b", "c"}));
  files = 0;
  for (auto& e : std::filesystem::directory_iterator(dir)) files += e.path().extension() == ".ntf";
  EXPECT_EQ(files, 0u);
  // A corrupt file is set aside, not fatal.
  std::ofstream(dir + "/00000000000000000099.ntf") << "garbage";
  DeliveryWorker& w3 = Make({}, dir);
  auto again = w3.Recover();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0u);
  EXPECT_TRUE(std::filesystem::exists(dir + "/00000000000000000099.ntf.corrupt"));
}

TEST_F(NotifiersDelivery, ThreadDeliversWithoutBlockingOthers) {
  // Two workers with real threads: one whose notifier blocks, one healthy.
  class Blocking : public Notifier {
   public:
    std::string_view Integration() const override { return "webhook"; }
    bool SendResolved() const override { return true; }
    SendResult Send(const Notification&) override {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return release; });
      return SendResult::Ok();
    }
    std::mutex mu;
    std::condition_variable cv;
    bool release = false;
  };
  auto blocking = std::make_unique<Blocking>();
  Blocking* b = blocking.get();
  DeliveryWorker slow("slow", 0, std::move(blocking), config_, clock_, "");
  DeliveryWorker& fast = Make();
  slow.Start();
  fast.Start();
  slow.Enqueue(N("s"));
  for (int i = 0; i < 20; ++i) fast.Enqueue(N("f" + std::to_string(i)));
  EXPECT_TRUE(testing::WaitFor([&] { return fast.Stats().delivered_total == 20; }));
  EXPECT_EQ(slow.Stats().delivered_total, 0u);
  {
    std::lock_guard<std::mutex> lock(b->mu);
    b->release = true;
  }
  b->cv.notify_all();
  EXPECT_TRUE(testing::WaitFor([&] { return slow.Stats().delivered_total == 1; }));
  slow.Stop();
  fast.Stop();
}

}  // namespace
}  // namespace tocsin
