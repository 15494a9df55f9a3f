// A real Alertmanager (Debian package prometheus-alertmanager) on loopback, clustering off, with
// its own storage and a minimal config. tocsin forwards alerts through `alerting.alertmanagers`;
// Alertmanager's API shows them with the right labels, startsAt and endsAt; a resolved alert
// leaves its active list.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "notifiers/dispatcher.h"
#include "tests/notifiers/am_parity_util.h"
#include "tests/notifiers/test_util.h"

namespace tocsin {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

using testing::kAlertmanagerBinary;

json GetAlerts(CurlHttpClient& http, int port) {
  HttpRequest r;
  r.method = "GET";
  r.url = "http://127.0.0.1:" + std::to_string(port) + "/api/v2/alerts";
  HttpResponse resp = http.Do(r);
  if (resp.status != 200) return json::array();
  return json::parse(resp.body, nullptr, false);
}

const json* Find(const json& alerts, const std::string& name) {
  for (const json& a : alerts) {
    if (a["labels"].value("alertname", "") == name) return &a;
  }
  return nullptr;
}

TEST(NotifiersAlertmanager, RealAlertmanagerReceivesForwardedAlerts) {
  ASSERT_TRUE(std::filesystem::exists(kAlertmanagerBinary))
      << "install the Debian package prometheus-alertmanager";
  std::string dir = testing::TempDir("alertmanager");
  std::ofstream(dir + "/alertmanager.yml") << "route:\n  receiver: blackhole\n"
                                              "receivers:\n  - name: blackhole\n";
  testing::Child am;
  int port = testing::StartAlertmanager(am, dir + "/alertmanager.yml", dir);
  ASSERT_NE(port, 0) << testing::ReadFileOrEmpty(dir + "/alertmanager.log");
  CurlHttpClient http;

  AlertingConfig c = DefaultAlertingConfig();
  AlertmanagerTargetsConfig target;
  target.targets = {"127.0.0.1:" + std::to_string(port)};
  c.alertmanagers.push_back(target);
  DispatcherOptions o;
  o.external_labels = {{"node", "db-1"}};
  o.log_sink = [](const std::string&) {};
  auto d = Dispatcher::Create(c, o, SystemClock::Instance(), http);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  (*d)->Start();

  // Whole seconds so that the round trip through Alertmanager's formatting is exact.
  TimestampMs now = SystemClock::Instance().NowMs() / 1000 * 1000;
  Alert firing = testing::MakeAlert({{"alertname", "PgDown"}, {"severity", "critical"}},
                                    now - 60'000, now + 240'000);
  Alert other = testing::MakeAlert({{"alertname", "SlowQueries"}, {"severity", "warning"}},
                                   now - 30'000, now + 240'000);
  (*d)->Receive({firing, other});
  json alerts;
  ASSERT_TRUE(testing::WaitFor([&] {
    alerts = GetAlerts(http, port);
    return Find(alerts, "PgDown") != nullptr && Find(alerts, "SlowQueries") != nullptr;
  })) << alerts.dump();
  const json& pg = *Find(alerts, "PgDown");
  EXPECT_EQ(pg["labels"],
            json({{"alertname", "PgDown"}, {"severity", "critical"}, {"node", "db-1"}}));
  EXPECT_EQ(pg["annotations"]["summary"], "summary of PgDown");
  TimestampMs starts = 0, ends = 0;
  ASSERT_TRUE(ParseRfc3339(pg["startsAt"].get<std::string>(), &starts)) << pg.dump();
  ASSERT_TRUE(ParseRfc3339(pg["endsAt"].get<std::string>(), &ends)) << pg.dump();
  EXPECT_EQ(starts, now - 60'000);
  EXPECT_EQ(ends, now + 240'000);
  EXPECT_EQ(pg["generatorURL"], firing.generator_url);
  EXPECT_EQ(pg["status"]["state"], "active");
  // Alertmanager's fingerprint of the label set it received (external labels included) is the
  // one tocsin computes, so dedup keys and silences line up across the two.
  Alert as_sent = firing;
  as_sent.labels = Labels({{"alertname", "PgDown"}, {"severity", "critical"}, {"node", "db-1"}});
  EXPECT_EQ(pg["fingerprint"], as_sent.FingerprintHex());
  for (const json& a : alerts) {
    Alert seen;
    std::vector<Label> pairs;
    for (auto& [k, v] : a["labels"].items()) pairs.push_back({k, v.get<std::string>()});
    seen.labels = Labels::FromUnsorted(std::move(pairs));
    EXPECT_EQ(a["fingerprint"], seen.FingerprintHex()) << a.dump();
  }

  // Resolve PgDown: endsAt in the past; Alertmanager drops it from its active alerts.
  Alert resolved = firing;
  resolved.ends_at = SystemClock::Instance().NowMs() - 1000;
  (*d)->Receive({resolved});
  ASSERT_TRUE(testing::WaitFor([&] {
    alerts = GetAlerts(http, port);
    return Find(alerts, "PgDown") == nullptr && Find(alerts, "SlowQueries") != nullptr;
  })) << alerts.dump();
  // Alertmanager applies a post before it answers, so the sender may still be recording the
  // last response when the alert is already gone there: poll the counters (bounded).
  AlertmanagerTargetStats s;
  EXPECT_TRUE(testing::WaitFor([&] {
    s = (*d)->Stats().alertmanagers.at(0);
    return s.sent_total >= 3u;
  }));
  EXPECT_EQ(s.sent_total, 3u);
  EXPECT_EQ(s.errors_total, 0u);
  (*d)->Stop();
}

}  // namespace
}  // namespace tocsin
