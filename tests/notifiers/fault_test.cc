// Fault scenarios against the local PagerDuty and Slack fakes (tests/fakes/*.py), through the
// real libcurl client and the dispatcher's threads; each checked by what the fake recorded.
// Also the kill -9 durability scenario with the queue driver.
#include <gtest/gtest.h>

#include <map>

#include "notifiers/dispatcher.h"
#include "tests/notifiers/test_util.h"

namespace tocsin {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kSlackPath = "/services/T000/B000/XXXXXXXX";

class NotifiersFaults : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(pd_.Start()) << "pagerduty_fake.py did not start";
    ASSERT_TRUE(slack_.Start()) << "slack_fake.py did not start";
  }
  AlertingConfig Config(std::chrono::milliseconds pd_timeout = 5s) {
    AlertingConfig c;
    c.route.receiver = "pd";
    c.route.group_by = std::vector<std::string>{"..."};
    c.route.group_wait = 0ms;
    c.route.group_interval = 1h;
    RouteConfig to_slack;
    to_slack.receiver = "slack";
    to_slack.matchers = {LabelMatcher::Equal("severity", "warning")};
    c.route.routes.push_back(to_slack);
    c.delivery.initial_backoff = 50ms;
    c.delivery.max_backoff = 400ms;
    c.delivery.breaker_failures = 1000;
    ReceiverConfig pd;
    pd.name = "pd";
    PagerDutyConfig p;
    p.url = pd_.Url("/v2/enqueue");
    p.routing_key.value = testing::kRoutingKey;
    p.timeout = pd_timeout;
    p.rate_limit = {};
    pd.pagerduty_configs.push_back(p);
    ReceiverConfig slack;
    slack.name = "slack";
    SlackConfig s;
    s.api_url.value = slack_.Url(kSlackPath);
    slack.slack_configs.push_back(s);
    c.receivers = {pd, slack};
    return c;
  }
  void Run(const AlertingConfig& c) {
    DispatcherOptions o;
    o.state_dir = testing::TempDir(
        "faults-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    auto d = Dispatcher::Create(c, o, SystemClock::Instance(), http_);
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    d_ = std::move(d).value();
    d_->Start();
  }
  void Send(int n, const std::string& severity = "critical") {
    TimestampMs now = SystemClock::Instance().NowMs();
    std::vector<Alert> alerts;
    for (int i = 0; i < n; ++i) {
      alerts.push_back(testing::MakeAlert(
          {{"alertname", "Fault"}, {"i", std::to_string(i)}, {"severity", severity}}, now,
          now + 3600'000));
    }
    d_->Receive(alerts);
  }
  IntegrationStats Stat(const std::string& receiver) {
    for (const IntegrationStats& s : d_->Stats().integrations) {
      if (s.receiver == receiver) return s;
    }
    return {};
  }
  // dedup_key -> number of accepted (202) trigger events the fake recorded.
  std::map<std::string, int> AcceptedTriggers() {
    std::map<std::string, int> out;
    for (const json& r : pd_.Received(http_)) {
      if (r["status"] == 202 && r["json"]["event_action"] == "trigger") {
        ++out[r["json"]["dedup_key"].get<std::string>()];
      }
    }
    return out;
  }
  void TearDown() override {
    if (d_) d_->Stop();
  }

  CurlHttpClient http_;
  testing::FakeServer pd_{"pagerduty_fake.py"};
  testing::FakeServer slack_{"slack_fake.py", {"--rate-limit"}};
  std::unique_ptr<Dispatcher> d_;
};

TEST_F(NotifiersFaults, ReceiverDownThenBackWhileAnotherDelivers) {
  int port = pd_.port();
  pd_.Stop();  // connection refused from now on
  Run(Config());
  Send(5);
  Send(2, "warning");  // to Slack, which is up
  ASSERT_TRUE(testing::WaitFor([&] { return Stat("pd").failed_total >= 5; }));
  EXPECT_EQ(Stat("pd").delivered_total, 0u);
  // The dead PagerDuty does not hold Slack back.
  ASSERT_TRUE(testing::WaitFor([&] { return Stat("slack").delivered_total == 2; }));
  ASSERT_TRUE(pd_.Start(port));
  ASSERT_TRUE(testing::WaitFor([&] { return Stat("pd").delivered_total == 5; }));
  auto accepted = AcceptedTriggers();
  EXPECT_EQ(accepted.size(), 5u);
  for (const auto& [key, n] : accepted) EXPECT_EQ(n, 1) << key;
  EXPECT_EQ(Stat("pd").queue_length, 0u);
  json slack_reqs = slack_.Received(http_);
  ASSERT_EQ(slack_reqs.size(), 2u);
  for (const json& r : slack_reqs) EXPECT_EQ(r["status"], 200) << r["body"];
}

TEST_F(NotifiersFaults, ServerErrorsAreRetried) {
  ASSERT_TRUE(pd_.Faults(
      http_, json::array({{{"status", 500}, {"count", 3}, {"body", "{\"status\":\"error\"}"}},
                          {{"status", 503}, {"count", 2}}})));
  Run(Config());
  Send(3);
  ASSERT_TRUE(testing::WaitFor([&] { return Stat("pd").delivered_total == 3; }));
  json reqs = pd_.Received(http_);
  int errors = 0;
  for (const json& r : reqs) errors += r["status"].get<int>() >= 500 ? 1 : 0;
  EXPECT_EQ(errors, 5);
  EXPECT_EQ(Stat("pd").failed_total, 5u);
  auto accepted = AcceptedTriggers();
  EXPECT_EQ(accepted.size(), 3u);
  for (const auto& [key, n] : accepted) EXPECT_EQ(n, 1) << key;
}

TEST_F(NotifiersFaults, TooManyRequestsStormHonoursRetryAfter) {
  ASSERT_TRUE(
      pd_.Faults(http_, json::array({{{"status", 429}, {"count", 4}, {"retry_after", "1"}}})));
  Run(Config());
  Send(2);
  ASSERT_TRUE(testing::WaitFor([&] { return Stat("pd").delivered_total == 2; }));
  json reqs = pd_.Received(http_);
  ASSERT_EQ(reqs.size(), 6u);
  // Each request after a 429 came no sooner than its Retry-After (a lower bound only).
  for (size_t i = 0; i + 1 < reqs.size(); ++i) {
    if (reqs[i]["status"] == 429) {
      EXPECT_GE(reqs[i + 1]["t"].get<double>() - reqs[i]["t"].get<double>(), 0.95) << i;
    }
  }
  EXPECT_EQ(AcceptedTriggers().size(), 2u);
}

TEST_F(NotifiersFaults, TimeoutsAreRetriedAndDedupKeyMakesRepeatsHarmless) {
  ASSERT_TRUE(pd_.Faults(http_, json::array({{{"delay", 1.5}, {"count", 2}}})));
  Run(Config(/*pd_timeout=*/300ms));
  Send(2);
  ASSERT_TRUE(testing::WaitFor([&] { return Stat("pd").delivered_total == 2; }));
  EXPECT_GE(Stat("pd").failed_total, 2u);
  // The slow answers still reached the fake: a key may have been accepted twice, never more
  // than once per timed-out attempt, and every repeat carries the same dedup_key.
  ASSERT_TRUE(testing::WaitFor([&] { return pd_.Received(http_).size() >= 4; }));
  auto accepted = AcceptedTriggers();
  EXPECT_EQ(accepted.size(), 2u);
  int total = 0;
  for (const auto& [key, n] : accepted) total += n;
  EXPECT_LE(total, 4);
}

TEST_F(NotifiersFaults, RejectedEventIsDroppedOthersUnaffected) {
  AlertingConfig c = Config();
  c.receivers[0].pagerduty_configs[0].routing_key.value = "too-short";
  Run(c);
  Send(1);
  Send(3, "warning");
  ASSERT_TRUE(testing::WaitFor([&] { return Stat("pd").dropped_rejected == 1; }));
  json reqs = pd_.Received(http_);
  ASSERT_EQ(reqs.size(), 1u);  // not retried
  EXPECT_EQ(reqs[0]["status"], 400);
  ASSERT_TRUE(testing::WaitFor([&] { return Stat("slack").delivered_total == 3; }));
  // Slack's one-message-per-second limit is kept by the dispatcher: the fake (which enforces
  // it) never had to answer 429.
  for (const json& r : slack_.Received(http_)) EXPECT_EQ(r["status"], 200) << r["body"];
}

TEST_F(NotifiersFaults, KillNineLosesNothing) {
  // Every attempt fails while the first process runs, so everything stays queued.
  ASSERT_TRUE(pd_.Faults(http_, json::array({{{"status", 500}, {"count", 100000}}})));
  std::string state = testing::TempDir("kill9");
  std::string out = state + "/driver.out";
  constexpr int kN = 25;
  {
    testing::Child first(
        {TOCSIN_QUEUE_DRIVER, "enqueue", state, pd_.Url("/v2/enqueue"), std::to_string(kN)}, out);
    ASSERT_TRUE(testing::WaitFor(
        [&] { return testing::ReadFileOrEmpty(out).find("queued") != std::string::npos; }));
    ASSERT_TRUE(testing::WaitFor([&] { return pd_.Received(http_).size() >= 5; }));
    first.Kill(SIGKILL);
  }
  EXPECT_EQ(AcceptedTriggers().size(), 0u);
  // The receiver recovers; a new process on the same state_dir delivers everything.
  HttpRequest reset;
  reset.url = pd_.Url("/_control/reset");
  ASSERT_EQ(http_.Do(reset).status, 200);
  testing::Child second({TOCSIN_QUEUE_DRIVER, "deliver", state, pd_.Url("/v2/enqueue")}, out);
  ASSERT_EQ(second.Wait(90s), 0) << testing::ReadFileOrEmpty(out);
  auto accepted = AcceptedTriggers();
  EXPECT_EQ(accepted.size(), static_cast<size_t>(kN));
  for (const auto& [key, n] : accepted) EXPECT_EQ(n, 1) << key;
  for (const json& r : pd_.Received(http_)) EXPECT_EQ(r["status"], 202) << r["body"];
}

}  // namespace
}  // namespace tocsin
