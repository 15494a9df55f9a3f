// Timing parity with the real Alertmanager (Debian's prometheus-alertmanager 0.25): one
// alertmanager.yml (group_wait 1s, group_interval 3s, repeat_interval 7s, a webhook receiver
// with send_resolved) and one script of alerts — a first alert, a second joining the group, a
// quiet stretch long enough for a repeat, the first resolving, then the second. Alertmanager
// runs it in real time against tests/fakes/webhook_fake.py; tocsin's dispatcher runs the same
// file and script on an injected clock. Both must send the same notifications (webhook
// payloads equal but for the alerts' times) in the same flush slots: each of Alertmanager's
// arrival times within 1 s of tocsin's (the slots are 3 s apart).
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "agent/config/loader.h"
#include "notifiers/dispatcher.h"
#include "tests/notifiers/am_parity_util.h"
#include "tests/notifiers/test_util.h"

namespace tocsin {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
using testing::kAlertmanagerBinary;
using testing::kExternalUrl;

std::string AlertmanagerYaml(const std::string& hook_url) {
  return "global:\n"
         "  resolve_timeout: 1h\n"
         "route:\n"
         "  receiver: hook\n"
         "  group_by: [alertname]\n"
         "  group_wait: 1s\n"
         "  group_interval: 3s\n"
         "  repeat_interval: 7s\n"
         "receivers:\n"
         "  - name: hook\n"
         "    webhook_configs:\n"
         "      - url: " +
         hook_url +
         "\n"
         "        send_resolved: true\n";
}

// One step of the script: at `at` (after the start), an alert of group "Replication" fires
// (until an hour later) or resolves (ends then).
struct Event {
  std::chrono::milliseconds at;
  std::string instance;
  bool resolve;
};
const std::vector<Event>& Script() {
  static const std::vector<Event> script = {{0ms, "db-1", false},
                                            {2000ms, "db-2", false},
                                            {14000ms, "db-1", true},
                                            {18000ms, "db-2", true}};
  return script;
}
constexpr auto kScriptLength = 22s;
// group_wait 1 s; flushes every 3 s after it: [db-1] at 1, [db-1 db-2] at 4, nothing at 7 and 10,
// the repeat at 13 (7 s after 4), db-1 resolved at 16, db-2 resolved at 19.
constexpr size_t kExpectedNotifications = 5;

Alert MakeScriptAlert(const Event& e, TimestampMs start) {
  Alert a;
  a.labels = Labels{{"alertname", "Replication"}, {"instance", e.instance}};
  a.annotations = {{"summary", "replication lag on " + e.instance}};
  a.starts_at = start;
  a.ends_at = e.resolve ? start + e.at.count() : start + e.at.count() + 3600'000;
  a.generator_url = "http://prometheus.example:9090/graph?g0.expr=pg_replication_lag";
  return a;
}

// A webhook payload without the alerts' times, which differ by construction.
json WithoutTimes(json body) {
  for (json& a : body["alerts"]) {
    a.erase("startsAt");
    a.erase("endsAt");
  }
  return body;
}

struct Sent {
  double at_s;  // seconds after the script started
  json body;
};

TEST(AlertmanagerTimingParity, SameNotificationsInTheSameFlushSlots) {
  ASSERT_TRUE(std::filesystem::exists(kAlertmanagerBinary))
      << "install the Debian package prometheus-alertmanager";
  testing::FakeServer hook("webhook_fake.py");
  ASSERT_TRUE(hook.Start()) << "webhook_fake.py did not start";
  std::string dir = testing::TempDir("am-timing");
  std::string config_file = dir + "/alertmanager.yml";
  std::ofstream(config_file) << AlertmanagerYaml(hook.Url("/hook/am"));
  testing::Child am;
  int port = testing::StartAlertmanager(am, config_file, dir);
  ASSERT_NE(port, 0) << testing::ReadFileOrEmpty(dir + "/alertmanager.log");
  CurlHttpClient http;

  // tocsin: the same file, on an injected clock, in 50 ms steps.
  Result<Config> config =
      LoadConfigString("alerting:\n  config_file: " + config_file + "\n", dir + "/tocsin.yml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  AlertingConfig alerting = config->alerting;
  alerting.external_url = kExternalUrl;
  constexpr TimestampMs kStart = 1'700'000'000'000;
  FakeClock clock(kStart);
  testing::RecordingHttpClient recorder;
  auto d = Dispatcher::Create(alerting, {}, clock, recorder);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  std::vector<Sent> ours;
  size_t next_event = 0;
  for (auto t = 0ms; t <= kScriptLength; t += 50ms) {
    clock.Set(kStart + t.count());
    while (next_event < Script().size() && Script()[next_event].at <= t) {
      (*d)->Receive({MakeScriptAlert(Script()[next_event++], kStart)});
    }
    (*d)->Tick();
    while ((*d)->ProcessDeliveriesOnce() > 0) {
    }
    for (const json& body : recorder.Bodies()) ours.push_back({t.count() / 1000.0, body});
    recorder.Clear();
  }
  ASSERT_EQ(ours.size(), kExpectedNotifications);

  // Alertmanager: the same script in real time (posting on schedule, not waiting for state).
  auto start = std::chrono::system_clock::now();
  TimestampMs start_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(start.time_since_epoch()).count();
  for (const Event& e : Script()) {
    std::this_thread::sleep_until(start + e.at);
    Alert a = MakeScriptAlert(e, start_ms);
    testing::TestAlert posted{a.labels, a.annotations};
    HttpRequest r;
    r.url = "http://127.0.0.1:" + std::to_string(port) + "/api/v2/alerts";
    r.headers.push_back({"Content-Type", "application/json"});
    json body = testing::PostBody({posted}, a.starts_at, a.ends_at);
    body[0]["generatorURL"] = a.generator_url;
    r.body = body.dump();
    ASSERT_EQ(http.Do(r).status, 200);
  }
  json received;
  EXPECT_TRUE(testing::WaitFor(
      [&] {
        received = hook.Received(http);
        return received.size() >= kExpectedNotifications;
      },
      30s));
  std::this_thread::sleep_until(start + kScriptLength);  // anything extra would have come by now
  received = hook.Received(http);
  std::vector<Sent> theirs;
  double start_s = std::chrono::duration<double>(start.time_since_epoch()).count();
  for (const json& r : received) {
    EXPECT_EQ(r["status"], 200) << r.dump();  // the fake accepted Alertmanager's payload
    theirs.push_back({r["t"].get<double>() - start_s, r["json"]});
  }

  ASSERT_EQ(theirs.size(), ours.size()) << received.dump(1);
  for (size_t i = 0; i < ours.size(); ++i) {
    std::printf("notification %zu: tocsin %.2f s, alertmanager %.2f s (%s, %zu alerts)\n", i,
                ours[i].at_s, theirs[i].at_s, ours[i].body.value("status", "").c_str(),
                ours[i].body["alerts"].size());
    EXPECT_NEAR(theirs[i].at_s, ours[i].at_s, 1.0) << "notification " << i;
    EXPECT_EQ(WithoutTimes(ours[i].body), WithoutTimes(theirs[i].body))
        << "notification " << i << "\ntocsin:\n"
        << WithoutTimes(ours[i].body).dump(1) << "\nalertmanager:\n"
        << WithoutTimes(theirs[i].body).dump(1);
  }
  // The schedule is the one worked out above.
  std::vector<double> want_s = {1, 4, 13, 16, 19};
  for (size_t i = 0; i < ours.size(); ++i) EXPECT_NEAR(ours[i].at_s, want_s[i], 0.06) << i;
  EXPECT_EQ(ours[2].body["alerts"].size(), 2u);  // the repeat carries both
  EXPECT_EQ(ours[3].body["status"], "firing");   // db-1 resolved, db-2 still firing
  EXPECT_EQ(ours[4].body["status"], "resolved");
}

}  // namespace
}  // namespace tocsin
