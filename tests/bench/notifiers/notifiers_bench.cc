// notifiers_bench: notifications per second through the dispatcher (routing, grouping,
// durable queue with fsync, delivery worker) and memory per queued notification.
//
//   notifiers_bench throughput N STATE_DIR [URL]   N alerts, one group each (group_by: ['...']),
//       delivered to URL (a local HTTP receiver) or, without URL, to an in-process receiver
//       that answers 200 at once; STATE_DIR "" = no durable queue. Prints notifications/s.
//   notifiers_bench memory N STATE_DIR             N notifications queued for a receiver that
//       refuses connections; prints RSS and disk bytes per queued notification.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "agent/http_client/http_client.h"
#include "notifiers/dispatcher.h"

using namespace tocsin;
using namespace std::chrono_literals;

namespace {

class NullHttpClient : public HttpClient {
 public:
  HttpResponse Do(const HttpRequest&) override {
    HttpResponse r;
    r.status = 200;
    return r;
  }
};

long RssKb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

AlertingConfig Config(const std::string& url) {
  AlertingConfig c;
  c.route.receiver = "hook";
  c.route.group_by = std::vector<std::string>{"..."};
  c.route.group_wait = 0ms;
  c.route.group_interval = 1h;
  c.delivery.queue_capacity = 1'000'000;
  c.delivery.initial_backoff = 1h;  // memory mode: keep everything queued
  ReceiverConfig r;
  r.name = "hook";
  WebhookConfig w;
  w.url.value = url;
  r.webhook_configs.push_back(w);
  c.receivers.push_back(r);
  return c;
}

std::vector<Alert> Alerts(int n) {
  TimestampMs now = SystemClock::Instance().NowMs();
  std::vector<Alert> out;
  out.reserve(n);
  for (int i = 0; i < n; ++i) {
    Alert a;
    a.labels = Labels{{"alertname", "PostgresReplicationLag"},
                      {"instance", "db-" + std::to_string(i % 100) + ":9187"},
                      {"job", "postgres"},
                      {"severity", "warning"},
                      {"shard", std::to_string(i)}};
    a.annotations = {{"summary", "Replication lag above 30s on db-" + std::to_string(i % 100)},
                     {"runbook_url", "https://runbooks.example/postgres/replication-lag"}};
    a.starts_at = now;
    a.ends_at = now + 3600'000;
    a.generator_url = "http://db-1:9469/graph?g0.expr=pg_replication_lag%3E30&g0.tab=1";
    out.push_back(std::move(a));
  }
  return out;
}

uint64_t DiskBytes(const std::string& dir) {
  uint64_t total = 0;
  std::error_code ec;
  for (auto& e : std::filesystem::recursive_directory_iterator(dir, ec)) {
    if (e.is_regular_file()) total += e.file_size();
  }
  return total;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s throughput|memory N STATE_DIR [URL]\n", argv[0]);
    return 2;
  }
  std::string mode = argv[1];
  int n = std::stoi(argv[2]);
  std::string state = argv[3];
  if (!state.empty()) std::filesystem::remove_all(state);
  std::vector<Alert> alerts = Alerts(n);
  NullHttpClient null_http;
  CurlHttpClient curl;
  if (mode == "throughput") {
    bool local = argc > 4;
    HttpClient& http = local ? static_cast<HttpClient&>(curl) : null_http;
    auto d = Dispatcher::Create(Config(local ? argv[4] : "http://null/"), {state, {}, {}},
                                SystemClock::Instance(), http);
    if (!d.ok()) return 1;
    (*d)->Start();
    auto t0 = std::chrono::steady_clock::now();
    (*d)->Receive(alerts);
    while ((*d)->Stats().integrations[0].delivered_total < static_cast<uint64_t>(n)) {
      std::this_thread::sleep_for(1ms);
    }
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    (*d)->Stop();
    std::printf("throughput: %d notifications in %.3f s = %.0f notifications/s (%s, %s)\n", n, secs,
                n / secs, state.empty() ? "in-memory queue" : "durable queue, fsync",
                local ? argv[4] : "in-process receiver");
    return 0;
  }
  if (mode == "memory") {
    long before = RssKb();
    auto d = Dispatcher::Create(Config("http://127.0.0.1:1/"), {state, {}, {}},
                                SystemClock::Instance(), curl);
    if (!d.ok()) return 1;
    (*d)->Receive(alerts);
    (*d)->Tick();  // flush every group into the queue (no worker threads: nothing delivered)
    long alerts_kb = RssKb();
    alerts.clear();
    alerts.shrink_to_fit();
    long after = RssKb();
    size_t queued = (*d)->PendingNotifications();
    std::printf(
        "memory: %zu queued notifications; RSS %ld kB before, %ld kB after "
        "(dispatcher's alert store and groups included) = %.0f bytes per queued "
        "notification; on disk %.0f bytes each\n",
        queued, before, std::max(after, alerts_kb),
        (std::max(after, alerts_kb) - before) * 1024.0 / queued,
        state.empty() ? 0.0 : static_cast<double>(DiskBytes(state)) / queued);
    return 0;
  }
  return 2;
}
