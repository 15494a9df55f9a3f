#include "collectors/statsd/statsd_collector.h"

#include <map>
#include <mutex>
#include <sstream>

namespace tocsin {
namespace {

// Servers by configuration, so that a reload with the same statsd section reuses the running
// one. Weak: the collectors own the servers.
std::mutex g_servers_mu;
std::map<std::string, std::weak_ptr<StatsdServer>>& Servers() {
  static auto* servers = new std::map<std::string, std::weak_ptr<StatsdServer>>();
  return *servers;
}

std::string KeyOf(const StatsdCollectorConfig& c, const Clock& clock) {
  std::ostringstream k;
  k << c.listen_address << '|' << c.unix_socket_path << '|' << c.window.count() << '|'
    << c.max_series << '|' << c.read_buffer << '|' << &clock;
  for (double q : c.quantiles) k << '|' << q;
  return k.str();
}

class StatsdCollector final : public Collector {
 public:
  explicit StatsdCollector(std::shared_ptr<StatsdServer> server) : server_(std::move(server)) {}
  std::string_view name() const override { return "statsd"; }

  Status Collect(const CollectContext&, Appender& out) override {
    TOCSIN_RETURN_IF_ERROR(server_->aggregator().WriteTo(out));
    StatsdReceiverStats st = server_->receiver().Stats();
    auto add = [&](const char* name, double v) {
      return out.Add(Labels{{std::string(kMetricNameLabel), name}}, v);
    };
    TOCSIN_RETURN_IF_ERROR(add("tocsin_statsd_listening", st.listening ? 1 : 0));
    TOCSIN_RETURN_IF_ERROR(add("tocsin_statsd_receive_errors_total", double(st.receive_errors)));
    TOCSIN_RETURN_IF_ERROR(add("tocsin_statsd_bytes_total", double(st.bytes)));
    out.SetMetadata("tocsin_statsd_listening",
                    {MetricType::kGauge, "1 when every configured StatsD socket is bound.", ""});
    out.SetMetadata("tocsin_statsd_receive_errors",
                    {MetricType::kCounter, "Failed StatsD socket reads.", ""});
    out.SetMetadata("tocsin_statsd_bytes", {MetricType::kCounter, "StatsD bytes received.", ""});
    return Status::Ok();
  }

  StatsdServer& server() { return *server_; }

 private:
  std::shared_ptr<StatsdServer> server_;
};

}  // namespace

StatsdServer::StatsdServer(const Clock& clock, StatsdAggregatorOptions options)
    : aggregator_(clock, std::move(options)) {}

Result<std::shared_ptr<StatsdServer>> StatsdServer::Acquire(const StatsdCollectorConfig& config,
                                                            const Clock& clock) {
  std::lock_guard lock(g_servers_mu);
  std::string key = KeyOf(config, clock);
  auto& servers = Servers();
  for (auto it = servers.begin(); it != servers.end();) {
    it = it->second.expired() ? servers.erase(it) : std::next(it);
  }
  if (auto it = servers.find(key); it != servers.end()) {
    if (auto existing = it->second.lock()) return existing;
  }
  StatsdAggregatorOptions options;
  options.quantiles = config.quantiles;
  options.window = config.window;
  options.max_series = config.max_series;
  auto server = std::make_shared<StatsdServer>(clock, options);
  StatsdAggregator* aggregator = &server->aggregator_;
  auto receiver = StatsdReceiver::Start(
      {config.listen_address, config.unix_socket_path, config.read_buffer, 64},
      [aggregator](std::span<const std::string_view> batch) { aggregator->AddPackets(batch); });
  if (!receiver.ok()) return receiver.status();
  server->receiver_ = std::move(receiver).value();
  servers[key] = server;
  return server;
}

Result<std::unique_ptr<Collector>> MakeStatsdCollector(const StatsdCollectorConfig& config,
                                                       const Clock* clock) {
  auto server = StatsdServer::Acquire(config, clock != nullptr ? *clock : SystemClock::Instance());
  if (!server.ok()) return server.status();
  return std::unique_ptr<Collector>(new StatsdCollector(std::move(server).value()));
}

StatsdServer& StatsdServerOf(Collector& collector) {
  return static_cast<StatsdCollector&>(collector).server();
}

}  // namespace tocsin
