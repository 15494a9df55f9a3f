// Test-only driver for the kill -9 durability test: runs a Dispatcher on a state_dir with one
// PagerDuty receiver (every alert its own group, so one notification per alert).
//
//   notifiers_queue_driver enqueue STATE_DIR PD_URL N   receive N alerts, print "queued N" once
//                                                       all N are on disk, then keep running
//                                                       (and retrying) until killed
//   notifiers_queue_driver deliver STATE_DIR PD_URL     start on the same state_dir, exit 0 once
//                                                       every queued notification is delivered
//                                                       (exit 1 after 60 s)
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "agent/http_client/http_client.h"
#include "notifiers/dispatcher.h"

using namespace tocsin;
using namespace std::chrono_literals;

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s enqueue|deliver STATE_DIR PD_URL [N]\n", argv[0]);
    return 2;
  }
  std::string mode = argv[1];
  AlertingConfig config;
  config.route.receiver = "pd";
  config.route.group_by = std::vector<std::string>{"..."};
  config.route.group_wait = 0ms;
  config.route.group_interval = 1h;
  config.delivery.initial_backoff = 50ms;
  config.delivery.max_backoff = 200ms;
  ReceiverConfig pd;
  pd.name = "pd";
  PagerDutyConfig c;
  c.url = argv[3];
  c.routing_key.value = "R0123456789abcdef0123456789abcde";
  c.rate_limit = {};
  pd.pagerduty_configs.push_back(c);
  config.receivers.push_back(pd);

  CurlHttpClient http;
  DispatcherOptions options;
  options.state_dir = argv[2];
  auto d = Dispatcher::Create(config, options, SystemClock::Instance(), http);
  if (!d.ok()) {
    std::fprintf(stderr, "%s\n", d.status().ToString().c_str());
    return 1;
  }
  Dispatcher& dispatcher = **d;
  if (mode == "enqueue") {
    int n = argc > 4 ? std::stoi(argv[4]) : 10;
    TimestampMs now = SystemClock::Instance().NowMs();
    std::vector<Alert> alerts;
    for (int i = 0; i < n; ++i) {
      Alert a;
      a.labels = Labels{{"alertname", "Crash"}, {"i", std::to_string(i)}, {"severity", "critical"}};
      a.starts_at = now;
      a.ends_at = now + 3600'000;
      alerts.push_back(a);
    }
    dispatcher.Start();
    dispatcher.Receive(alerts);
    // Enqueue persists before returning, so once the dispatcher has flushed the groups, the
    // notifications are on disk.
    auto deadline = std::chrono::steady_clock::now() + 30s;
    while (dispatcher.Stats().integrations[0].notifications_total < static_cast<uint64_t>(n)) {
      if (std::chrono::steady_clock::now() > deadline) return 1;
      std::this_thread::sleep_for(10ms);
    }
    std::printf("queued %d\n", n);
    std::fflush(stdout);
    for (;;) ::pause();  // until SIGKILL
  }
  if (mode == "deliver") {
    dispatcher.Start();
    auto deadline = std::chrono::steady_clock::now() + 60s;
    while (dispatcher.PendingNotifications() > 0) {
      if (std::chrono::steady_clock::now() > deadline) return 1;
      std::this_thread::sleep_for(10ms);
    }
    std::printf("delivered %llu\n", static_cast<unsigned long long>(
                                        dispatcher.Stats().integrations[0].delivered_total));
    dispatcher.Stop();
    return 0;
  }
  return 2;
}
