// Shared by the side-by-side tests against the real Alertmanager (Debian's
// prometheus-alertmanager 0.25): the alerts posted to its API and the same group as tocsin's
// dispatcher hands it to a notifier.
#pragma once

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "agent/core/labels.h"
#include "agent/core/rfc3339.h"
#include "agent/http_client/http_client.h"
#include "notifiers/notification.h"
#include "tests/notifiers/test_util.h"

namespace tocsin::testing {

inline constexpr const char* kAlertmanagerBinary = "/usr/bin/prometheus-alertmanager";
inline constexpr const char* kExternalUrl = "http://am.example:9093";

// Starts the real Alertmanager on `config_file` (storage and log under `dir`, no cluster,
// external URL kExternalUrl) on a free loopback port and waits until it is ready. Returns the
// port, 0 when it did not come up (its log is in <dir>/alertmanager.log).
inline int StartAlertmanager(Child& am, const std::string& config_file, const std::string& dir) {
  int port = FreePort();
  am.Start({kAlertmanagerBinary, "--config.file=" + config_file, "--storage.path=" + dir + "/data",
            "--web.listen-address=127.0.0.1:" + std::to_string(port),
            std::string("--web.external-url=") + kExternalUrl,
            "--cluster.listen-address=", "--log.level=warn"},
           dir + "/alertmanager.log");
  CurlHttpClient http;
  bool ready = WaitFor([&] {
    HttpRequest r;
    r.method = "GET";
    r.url = "http://127.0.0.1:" + std::to_string(port) + "/-/ready";
    return http.Do(r).status == 200;
  });
  return ready ? port : 0;
}

struct TestAlert {
  Labels labels;
  std::map<std::string, std::string> annotations;
};

// What Alertmanager's API takes: labels, annotations, startsAt, endsAt (resolved) and
// generatorURL.
inline nlohmann::json PostBody(const std::vector<TestAlert>& alerts, TimestampMs starts_at,
                               TimestampMs ends_at) {
  nlohmann::json out = nlohmann::json::array();
  for (const TestAlert& a : alerts) {
    nlohmann::json labels = nlohmann::json::object();
    for (const Label& l : a.labels) labels[l.name] = l.value;
    nlohmann::json one{{"labels", labels},
                       {"annotations", a.annotations},
                       {"startsAt", FormatRfc3339(starts_at)},
                       {"generatorURL", "http://prometheus.example:9090/graph?g0.expr=up"}};
    if (ends_at != 0) one["endsAt"] = FormatRfc3339(ends_at);
    out.push_back(one);
  }
  return out;
}

// The same group as tocsin's dispatcher hands it to a notifier; `route` is the matcher of the
// child route that picked it, for the group key.
inline Notification Group(const std::string& receiver, const std::string& route,
                          const std::vector<TestAlert>& alerts, TimestampMs starts_at,
                          TimestampMs ends_at) {
  Notification n;
  n.receiver = receiver;
  std::string alertname(alerts.front().labels.Get("alertname"));
  n.group_labels = Labels{{"alertname", alertname}};
  n.group_key = "{}/{" + route + "}:{alertname=\"" + alertname + "\"}";
  n.external_url = kExternalUrl;
  for (const TestAlert& a : alerts) {
    Alert alert;
    alert.labels = a.labels;
    alert.annotations = a.annotations;
    alert.starts_at = starts_at;
    alert.ends_at = ends_at;
    alert.generator_url = "http://prometheus.example:9090/graph?g0.expr=up";
    n.alerts.push_back(alert);
  }
  return n;
}

// Whole seconds, so that Alertmanager's parse and format round-trip exactly.
inline TimestampMs WholeSecondsAgo(int seconds) {
  return (std::chrono::duration_cast<std::chrono::seconds>(
              std::chrono::system_clock::now().time_since_epoch())
              .count() -
          seconds) *
         1000;
}

}  // namespace tocsin::testing
