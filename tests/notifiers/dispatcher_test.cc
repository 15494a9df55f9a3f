// Routing, grouping, inhibition and silences as tables on a FakeClock. Receivers are webhooks
// into a RecordingHttpClient, so every notification the dispatcher decides to send is visible
// as a request (version-4 webhook JSON) once the test runs the delivery step.
#include "notifiers/dispatcher.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <future>
#include <thread>

#include "agent/core/matcher_parser.h"
#include "notifiers/alert_delivery.h"
#include "notifiers/durable_queue.h"
#include "tests/notifiers/test_util.h"

namespace tocsin {
namespace {

using nlohmann::json;
using testing::MakeAlert;
using namespace std::chrono_literals;

constexpr TimestampMs kT0 = 1'700'000'000'000;

std::vector<LabelMatcher> M(const std::string& text) {
  auto m = ParseMatchers(text);
  EXPECT_TRUE(m.ok()) << text;
  return m.ok() ? *m : std::vector<LabelMatcher>{};
}

ReceiverConfig Hook(const std::string& name, bool send_resolved = true) {
  ReceiverConfig r;
  r.name = name;
  WebhookConfig w;
  w.url.value = "http://hooks.test/" + name;
  w.send_resolved = send_resolved;
  r.webhook_configs.push_back(w);
  return r;
}

class NotifiersDispatcher : public ::testing::Test {
 protected:
  void Build(AlertingConfig config) {
    auto d = Dispatcher::Create(config, {}, clock_, http_);
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    d_ = std::move(d).value();
  }
  // Advances to `t` (ms after kT0), runs the timers and delivers; returns what was sent.
  std::vector<json> At(TimestampMs t) {
    clock_.Set(kT0 + t);
    d_->Tick();
    while (d_->ProcessDeliveriesOnce() > 0) {
    }
    std::vector<json> out = http_.Bodies();
    http_.Clear();
    return out;
  }
  // An alert as the rule manager sends it: endsAt = ValidUntil from now (10m: the tests do not
  // re-send every minute as the rule manager does, so they give alerts room until the next
  // group_interval tick).
  Alert Firing(std::initializer_list<Label> labels) {
    return MakeAlert(labels, kT0, clock_.NowMs() + 10 * 60'000);
  }
  Alert Resolved(std::initializer_list<Label> labels) {
    return MakeAlert(labels, kT0, clock_.NowMs());
  }
  static std::vector<std::string> Names(const json& msg) {
    std::vector<std::string> out;
    for (const json& a : msg["alerts"]) {
      out.push_back(a["labels"].value("alertname", "") + "/" + a["labels"].value("i", "") + ":" +
                    a["status"].get<std::string>());
    }
    return out;
  }

  FakeClock clock_{kT0};
  testing::RecordingHttpClient http_;
  std::unique_ptr<Dispatcher> d_;
};

AlertingConfig OneHook() {
  AlertingConfig c;
  c.route.receiver = "hook";
  c.route.group_by = std::vector<std::string>{"alertname"};
  c.receivers.push_back(Hook("hook"));
  return c;
}

TEST_F(NotifiersDispatcher, DefaultsAreAlertmanagers) {
  Build(OneHook());
  AlertingConfig c;
  EXPECT_EQ(c.route.group_wait, std::nullopt);
  auto route = Route::Build(OneHook().route);
  ASSERT_TRUE(route.ok());
  EXPECT_EQ((*route)->opts().group_wait, 30s);
  EXPECT_EQ((*route)->opts().group_interval, 5min);
  EXPECT_EQ((*route)->opts().repeat_interval, 4h);
}

// Group timers run on the monotonic clock: with the wall clock stepped back an hour, group_wait
// still ends 30 s after the alert arrived.
TEST_F(NotifiersDispatcher, WallClockSteppedBackKeepsGroupTimers) {
  Build(OneHook());
  d_->Receive({Firing({{"alertname", "A"}, {"i", "1"}})});
  clock_.StepWall(-std::chrono::hours(1));
  clock_.Advance(29'999ms);
  d_->Tick();
  EXPECT_EQ(d_->ProcessDeliveriesOnce(), 0u);
  clock_.Advance(1ms);
  d_->Tick();
  EXPECT_EQ(d_->ProcessDeliveriesOnce(), 1u);
  ASSERT_EQ(http_.Bodies().size(), 1u);
  EXPECT_EQ(Names(http_.Bodies()[0]), std::vector<std::string>{"A/1:firing"});
}

TEST_F(NotifiersDispatcher, GroupWaitIntervalAndRepeat) {
  Build(OneHook());
  d_->Receive({Firing({{"alertname", "A"}, {"i", "1"}})});
  EXPECT_TRUE(At(29'999).empty());  // group_wait not over
  auto sent = At(30'000);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(Names(sent[0]), std::vector<std::string>{"A/1:firing"});
  EXPECT_EQ(sent[0]["groupKey"], "{}:{alertname=\"A\"}");

  clock_.Set(kT0 + 60'000);
  d_->Receive({Firing({{"alertname", "A"}, {"i", "1"}}), Firing({{"alertname", "A"}, {"i", "2"}})});
  EXPECT_TRUE(At(60'000).empty());
  EXPECT_TRUE(At(329'999).empty());  // next flush at 30s + 5m
  sent = At(330'000);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(Names(sent[0]), (std::vector<std::string>{"A/1:firing", "A/2:firing"}));

  // Unchanged group: nothing until repeat_interval (4h), checked at group_interval ticks.
  for (TimestampMs t = 330'000 + 300'000; t < 330'000 + 4 * 3600'000; t += 300'000) {
    clock_.Set(kT0 + t);
    d_->Receive(
        {Firing({{"alertname", "A"}, {"i", "1"}}), Firing({{"alertname", "A"}, {"i", "2"}})});
    ASSERT_TRUE(At(t).empty()) << t;
  }
  clock_.Set(kT0 + 330'000 + 4 * 3600'000);
  d_->Receive({Firing({{"alertname", "A"}, {"i", "1"}}), Firing({{"alertname", "A"}, {"i", "2"}})});
  // 4h after the last notification the next tick re-sends (repeat rounds up to a tick).
  sent = At(330'000 + 4 * 3600'000 + 300'000);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(Names(sent[0]).size(), 2u);
}

TEST_F(NotifiersDispatcher, ResolvedWithinGroupWaitSendsNothing) {
  Build(OneHook());
  d_->Receive({Firing({{"alertname", "A"}, {"i", "1"}})});
  clock_.Set(kT0 + 10'000);
  d_->Receive({Resolved({{"alertname", "A"}, {"i", "1"}})});
  EXPECT_TRUE(At(30'000).empty());
  EXPECT_EQ(d_->Stats().aggregation_groups, 0u);
}

TEST_F(NotifiersDispatcher, ResolutionAndSendResolved) {
  AlertingConfig c = OneHook();
  c.receivers.push_back(Hook("quiet", /*send_resolved=*/false));
  RouteConfig child;
  child.receiver = "quiet";
  child.matchers = M("team=\"quiet\"");
  c.route.routes.push_back(child);
  Build(c);
  d_->Receive({Firing({{"alertname", "A"}}), Firing({{"alertname", "B"}, {"team", "quiet"}})});
  auto sent = At(30'000);
  ASSERT_EQ(sent.size(), 2u);
  clock_.Set(kT0 + 100'000);
  d_->Receive({Resolved({{"alertname", "A"}}), Resolved({{"alertname", "B"}, {"team", "quiet"}})});
  sent = At(330'000);
  ASSERT_EQ(sent.size(), 1u);  // only the send_resolved receiver hears about it
  EXPECT_EQ(sent[0]["receiver"], "hook");
  EXPECT_EQ(sent[0]["status"], "resolved");
  EXPECT_NE(sent[0]["alerts"][0]["endsAt"], "0001-01-01T00:00:00Z");
  EXPECT_EQ(d_->Stats().aggregation_groups, 0u);  // resolved groups are removed
}

TEST_F(NotifiersDispatcher, AlertNotResentExpiresAndResolves) {
  Build(OneHook());
  d_->Receive({MakeAlert({{"alertname", "A"}}, kT0, kT0 + 4 * 60'000)});  // valid for 4 minutes
  ASSERT_EQ(At(30'000).size(), 1u);
  auto sent = At(330'000);  // never re-sent: endsAt passed at 4m
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0]["status"], "resolved");
}

TEST_F(NotifiersDispatcher, RoutingTable) {
  AlertingConfig c;
  c.route.receiver = "default";
  c.route.group_by = std::vector<std::string>{"..."};  // one group per case
  c.route.group_wait = 0ms;
  for (const char* r : {"default", "pager", "db", "audit", "all"}) c.receivers.push_back(Hook(r));
  RouteConfig pager;
  pager.receiver = "pager";
  pager.matchers = M("severity=\"critical\"");
  RouteConfig db;  // child of pager: inherits receiver unless set
  db.receiver = "db";
  db.matchers = M("job=~\"postgres|redis\"");
  pager.routes.push_back(db);
  RouteConfig audit;
  audit.receiver = "audit";
  audit.matchers = M("team!=\"\"");
  audit.continue_matching = true;
  RouteConfig all;
  all.receiver = "all";
  all.matchers = M("env=\"prod\"");
  c.route.routes = {audit, pager, all};
  Build(c);

  struct Case {
    std::vector<Label> labels;
    std::vector<std::string> receivers;
  };
  std::vector<Case> cases = {
      {{{"alertname", "X"}}, {"default"}},
      {{{"alertname", "X"}, {"severity", "critical"}}, {"pager"}},
      {{{"alertname", "X"}, {"severity", "critical"}, {"job", "redis"}}, {"db"}},
      {{{"alertname", "X"}, {"severity", "critical"}, {"job", "redis2"}}, {"pager"}},
      {{{"alertname", "X"}, {"team", "a"}, {"severity", "critical"}}, {"audit", "pager"}},
      // A continue route that matched counts as a match: the parent does not take it too.
      {{{"alertname", "X"}, {"team", "a"}}, {"audit"}},
      {{{"alertname", "X"}, {"env", "prod"}, {"severity", "critical"}}, {"pager"}},
      {{{"alertname", "X"}, {"env", "prod"}}, {"all"}},
  };
  int n = 0;
  for (const Case& k : cases) {
    Alert a;
    a.labels = Labels::FromUnsorted(k.labels);
    a.labels = LabelsBuilder(a.labels).Set("case", std::to_string(n++)).Build();
    a.starts_at = clock_.NowMs();
    a.ends_at = clock_.NowMs() + 600'000;
    d_->Receive({a});
    std::vector<std::string> got;
    for (const json& m : At(clock_.NowMs() - kT0)) got.push_back(m["receiver"]);
    std::sort(got.begin(), got.end());
    std::vector<std::string> want = k.receivers;
    std::sort(want.begin(), want.end());
    EXPECT_EQ(got, want) << a.labels.ToString();
    clock_.Advance(1ms);
  }
}

TEST_F(NotifiersDispatcher, GroupByAllAndGroupKeys) {
  AlertingConfig c = OneHook();
  c.route.group_by = std::vector<std::string>{"..."};
  Build(c);
  d_->Receive({Firing({{"alertname", "A"}, {"i", "1"}}), Firing({{"alertname", "A"}, {"i", "2"}})});
  auto sent = At(30'000);
  ASSERT_EQ(sent.size(), 2u);  // one group per label set
  std::set<std::string> keys;
  for (const json& m : sent) keys.insert(m["groupKey"].get<std::string>());
  EXPECT_TRUE(keys.contains("{}:{alertname=\"A\", i=\"1\"}"));
}

TEST_F(NotifiersDispatcher, NewGroupWithOldAlertFlushesImmediately) {
  Build(OneHook());
  clock_.Set(kT0 + 3600'000);
  Alert a = MakeAlert({{"alertname", "Old"}}, kT0, kT0 + 2 * 3600'000);  // started an hour ago
  d_->Receive({a});
  EXPECT_EQ(At(3600'000).size(), 1u);
}

TEST_F(NotifiersDispatcher, InhibitionTable) {
  AlertingConfig c = OneHook();
  c.route.group_by = std::vector<std::string>{"..."};
  InhibitRuleConfig rule;
  rule.source_matchers = M("severity=\"critical\"");
  rule.target_matchers = M("severity=~\"warning|critical\"");
  rule.equal = {"instance"};
  c.inhibit_rules.push_back(rule);
  Build(c);
  d_->Receive({
      Firing({{"alertname", "Down"}, {"severity", "critical"}, {"instance", "a"}}),
      Firing({{"alertname", "Slow"}, {"severity", "warning"}, {"instance", "a"}}),   // inhibited
      Firing({{"alertname", "Slow"}, {"severity", "warning"}, {"instance", "b"}}),   // other inst
      Firing({{"alertname", "Slow"}, {"severity", "info"}, {"instance", "a"}}),      // not target
      Firing({{"alertname", "Disk"}, {"severity", "critical"}, {"instance", "a"}}),  // two-sided
  });
  std::set<std::string> got;
  for (const json& m : At(30'000)) {
    got.insert(m["alerts"][0]["labels"]["alertname"].get<std::string>() + "/" +
               m["alerts"][0]["labels"]["severity"].get<std::string>() + "/" +
               m["alerts"][0]["labels"]["instance"].get<std::string>());
  }
  EXPECT_EQ(got, (std::set<std::string>{"Down/critical/a", "Slow/warning/b", "Slow/info/a",
                                        "Disk/critical/a"}));
  EXPECT_GE(d_->Stats().inhibited_total, 1u);

  // The sources resolve: the target is no longer muted and goes out at the next interval.
  clock_.Set(kT0 + 60'000);
  d_->Receive({Resolved({{"alertname", "Down"}, {"severity", "critical"}, {"instance", "a"}}),
               Resolved({{"alertname", "Disk"}, {"severity", "critical"}, {"instance", "a"}}),
               Firing({{"alertname", "Slow"}, {"severity", "warning"}, {"instance", "a"}})});
  bool slow_a = false;
  for (const json& m : At(330'000)) {
    if (m["alerts"][0]["labels"]["alertname"] == "Slow" &&
        m["alerts"][0]["labels"]["instance"] == "a" && m["status"] == "firing") {
      slow_a = true;
    }
  }
  EXPECT_TRUE(slow_a);
}

TEST_F(NotifiersDispatcher, SilenceTable) {
  Build(OneHook());
  Silence s;
  s.matchers = {{"alertname", "A", false, true}};
  s.starts_at = kT0;
  s.ends_at = kT0 + 3600'000;
  s.created_by = "test";
  s.comment = "maintenance";
  auto id = d_->silences().Set(s);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  Silence pending = s;
  pending.matchers = {{"alertname", "B", false, true}};
  pending.starts_at = kT0 + 3600'000;
  pending.ends_at = kT0 + 7200'000;
  ASSERT_TRUE(d_->silences().Set(pending).ok());
  Silence regex = s;
  regex.matchers = {{"alertname", "C.*", true, true}, {"env", "prod", false, false}};
  ASSERT_TRUE(d_->silences().Set(regex).ok());

  d_->Receive({Firing({{"alertname", "A"}}), Firing({{"alertname", "B"}}),
               Firing({{"alertname", "Cx"}, {"env", "dev"}}),
               Firing({{"alertname", "Cy"}, {"env", "prod"}})});
  std::set<std::string> got;
  for (const json& m : At(30'000)) got.insert(m["groupLabels"]["alertname"].get<std::string>());
  EXPECT_EQ(got, (std::set<std::string>{"B", "Cy"}));
  EXPECT_GE(d_->Stats().silenced_total, 2u);

  // Expiring the silence lets A through at the next group_interval.
  clock_.Set(kT0 + 60'000);
  ASSERT_TRUE(d_->silences().Expire(*id).ok());
  EXPECT_EQ(d_->silences().Get(*id)->StateAt(clock_.NowMs()), Silence::State::kExpired);
  d_->Receive({Firing({{"alertname", "A"}})});
  got.clear();
  for (const json& m : At(330'000)) got.insert(m["groupLabels"]["alertname"].get<std::string>());
  EXPECT_TRUE(got.contains("A"));
}

TEST_F(NotifiersDispatcher, ConfigErrors) {
  AlertingConfig c = OneHook();
  c.route.receiver = "nope";
  EXPECT_FALSE(Dispatcher::Create(c, {}, clock_, http_).ok());
  AlertingConfig dup = OneHook();
  dup.receivers.push_back(Hook("hook"));
  EXPECT_FALSE(Dispatcher::Create(dup, {}, clock_, http_).ok());
  AlertingConfig pd = OneHook();
  pd.receivers[0].pagerduty_configs.emplace_back();  // no routing key
  EXPECT_FALSE(Dispatcher::Create(pd, {}, clock_, http_).ok());
  EXPECT_TRUE(Dispatcher::Create(DefaultAlertingConfig(), {}, clock_, http_).ok());
}

TEST_F(NotifiersDispatcher, ExternalLabelsAndForwardingBypassRouting) {
  AlertingConfig c = OneHook();
  AlertmanagerTargetsConfig am;
  am.targets = {"am-1:9093", "am-2:9093"};
  am.path_prefix = "/am/";
  c.alertmanagers.push_back(am);
  DispatcherOptions o;
  o.external_labels = {{"node", "db-1"}};
  auto d = Dispatcher::Create(c, o, clock_, http_);
  ASSERT_TRUE(d.ok());
  ASSERT_TRUE((*d)->silences()
                  .Set({"", {{"alertname", "A", false, true}}, kT0, kT0 + 60000, 0, "t", "c"})
                  .ok());
  (*d)->Receive({Firing({{"alertname", "A"}})});  // silenced for routing, still forwarded
  EXPECT_EQ((*d)->FlushAlertmanagersOnce(), 2u);
  auto reqs = http_.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].url, "http://am-1:9093/am/api/v2/alerts");
  EXPECT_EQ(reqs[1].url, "http://am-2:9093/am/api/v2/alerts");
  json body = json::parse(reqs[0].body);
  EXPECT_EQ(body[0]["labels"]["node"], "db-1");
}

}  // namespace
}  // namespace tocsin

namespace tocsin {
namespace {

// The durable queue's disk writes happen outside the lock Receive takes: with the next queue
// file stuck (its temp path is a FIFO nobody reads, so open() blocks as on a hung disk), the
// flush is stuck but new alerts from the rule manager are still accepted.
TEST(NotifiersDispatcherDisk, SlowDiskNeverBlocksReceive) {
  FakeClock clock(kT0);
  testing::RecordingHttpClient http;
  std::string state = testing::TempDir("slowdisk");
  DispatcherOptions o;
  o.state_dir = state;
  auto d = Dispatcher::Create(OneHook(), o, clock, http);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  std::string queue_dir;
  for (const auto& e : std::filesystem::recursive_directory_iterator(state + "/notifications")) {
    if (e.is_directory()) queue_dir = e.path().string();
  }
  ASSERT_FALSE(queue_dir.empty());
  std::string stuck = queue_dir + "/00000000000000000001.ntf.tmp";
  ASSERT_EQ(mkfifo(stuck.c_str(), 0600), 0);

  (*d)->Receive({MakeAlert({{"alertname", "A"}}, kT0, kT0 + 600'000)});
  clock.Advance(30s);  // group_wait over: the next Tick flushes into the stuck file
  auto tick = std::async(std::launch::async, [&] { (*d)->Tick(); });
  ASSERT_EQ(tick.wait_for(200ms), std::future_status::timeout) << "the write did not block";
  auto receive = std::async(std::launch::async, [&] {
    (*d)->Receive({MakeAlert({{"alertname", "B"}}, kT0, kT0 + 600'000)});
  });
  EXPECT_EQ(receive.wait_for(10s), std::future_status::ready) << "Receive waited for the disk";
  // Unstick the disk: drain the FIFO so open/write/fsync return.
  int fd = open(stuck.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  char buf[4096];
  while (read(fd, buf, sizeof buf) > 0) {
  }
  close(fd);
  EXPECT_EQ(tick.wait_for(10s), std::future_status::ready);
  receive.wait();
  while ((*d)->ProcessDeliveriesOnce() > 0) {
  }
  EXPECT_EQ(http.Bodies().size(), 1u);  // delivered from memory although the file failed
}

// Recovery keeps only the newest notification of a group: a crash between writing a new one
// and unlinking the one it supersedes leaves both on disk.
TEST(NotifiersDispatcherDisk, RecoveryCollapsesNotificationsOfOneGroup) {
  std::string dir = testing::TempDir("collapse");
  DurableQueue q(dir);
  size_t corrupt = 0;
  ASSERT_TRUE(q.Recover(&corrupt).ok());
  for (const char* key : {"g1", "g2", "g1"}) {
    QueuedNotification item;
    item.seq = q.NextSeq();
    item.enqueued_at = kT0;
    item.notification.receiver = "r";
    item.notification.group_key = key;
    item.notification.alerts.push_back(MakeAlert({{"alertname", key}}, kT0, 0));
    ASSERT_TRUE(q.Write(item).ok());
  }
  DurableQueue again(dir);
  auto got = again.Recover(&corrupt);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[0].notification.group_key, "g2");
  EXPECT_EQ((*got)[1].notification.group_key, "g1");
  EXPECT_EQ((*got)[1].seq, 3u);
  EXPECT_FALSE(std::filesystem::exists(dir + "/00000000000000000001.ntf"));
  EXPECT_EQ(corrupt, 0u);
}

}  // namespace
}  // namespace tocsin

namespace tocsin {
namespace {

// Installs OneHook() the way a reload does: validate, then swap the dispatcher.
void InstallOneHook(AlertDelivery& delivery) {
  auto swap = delivery.Prepare(OneHook(), {});
  ASSERT_TRUE(swap.ok()) << swap.status().ToString();
  (*swap)();
}

// A reload rebuilds the dispatcher; the alerts and the notification log go over to the new one,
// so a resolve after the reload is still sent (found by the soak test: it never came), and the
// counters carry on from where the replaced dispatcher left them (never going back on a reload).
TEST(NotifiersDispatcherReload, ResolveAfterAReloadIsSentAndCountersCarryOver) {
  FakeClock clock(kT0);
  testing::RecordingHttpClient http;
  AlertDelivery delivery(clock, http, testing::TempDir("reload-nflog"));
  auto install = [&] { InstallOneHook(delivery); };
  auto wait_bodies = [&](size_t n) {
    for (int i = 0; i < 2000 && http.Bodies().size() < n; ++i) {  // bounded, up to ~10 s
      clock.Advance(1s);
      std::this_thread::sleep_for(5ms);
    }
    return http.Bodies();
  };
  install();
  Alert a = MakeAlert({{"alertname", "A"}}, kT0, kT0 + 3600'000);
  delivery.AsNotifyFn()({a});
  auto sent = wait_bodies(1);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0]["status"], "firing");

  install();  // the same configuration again: a reload
  a.ends_at = clock.NowMs();
  delivery.AsNotifyFn()({a});
  sent = wait_bodies(2);
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[1]["status"], "resolved");
  DispatcherStats st;
  for (int i = 0; i < 2000; ++i) {  // bounded: the worker counts after the answer
    st = delivery.Stats();
    if (st.integrations.size() == 1 && st.integrations[0].delivered_total == 2) break;
    std::this_thread::sleep_for(5ms);
  }
  ASSERT_EQ(st.integrations.size(), 1u);
  EXPECT_EQ(st.integrations[0].delivered_total, 2u);
  EXPECT_EQ(st.integrations[0].notifications_total, 2u);
  EXPECT_EQ(st.integrations[0].latency_count, 2u);
  EXPECT_EQ(st.alerts_received_total, 2u);
  install();  // another reload: nothing new, nothing lost
  st = delivery.Stats();
  ASSERT_EQ(st.integrations.size(), 1u);
  EXPECT_EQ(st.integrations[0].delivered_total, 2u);
  EXPECT_EQ(st.alerts_received_total, 2u);
  delivery.Stop();
}

// Found by the soak test: a notification still queued at a reload was counted as accepted by
// the replaced dispatcher and again when the new one recovered it from disk.
TEST(NotifiersDispatcherReload, AQueuedNotificationIsAcceptedOnceAcrossAReload) {
  FakeClock clock(kT0);
  testing::RecordingHttpClient http;
  http.Script(testing::Status(500, "down"));
  AlertDelivery delivery(clock, http, testing::TempDir("reload-queued"));
  auto install = [&] { InstallOneHook(delivery); };
  auto wait_for = [&](auto done) {
    DispatcherStats st;
    for (int i = 0; i < 2000; ++i) {  // bounded, up to ~10 s
      st = delivery.Stats();
      if (st.integrations.size() == 1 && done(st.integrations[0])) break;
      clock.Advance(1s);
      std::this_thread::sleep_for(5ms);
    }
    return st;
  };
  install();
  delivery.AsNotifyFn()({MakeAlert({{"alertname", "A"}}, kT0, 0)});
  DispatcherStats st = wait_for([](const IntegrationStats& s) { return s.failed_total == 1; });
  ASSERT_EQ(st.integrations.size(), 1u);
  EXPECT_EQ(st.integrations[0].queue_length, 1u);

  install();  // a reload while the notification waits for its retry
  st = wait_for([](const IntegrationStats& s) { return s.delivered_total == 1; });
  ASSERT_EQ(st.integrations.size(), 1u);
  const IntegrationStats& s = st.integrations[0];
  EXPECT_EQ(s.delivered_total, 1u);
  EXPECT_EQ(s.notifications_total, 1u);
  EXPECT_EQ(s.notifications_total,
            s.delivered_total + s.superseded_total + s.dropped_total + s.queue_length);
  delivery.Stop();
}

}  // namespace
}  // namespace tocsin
