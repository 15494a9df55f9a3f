#include "collectors/registry.h"

#include "collectors/postgres/postgres_collector.h"
#include "collectors/probe/probe_collector.h"
#include "collectors/redis/redis_collector.h"
#include "collectors/scrape/scrape_collector.h"
#include "collectors/scylla/scylla_collector.h"
#include "collectors/statsd/statsd_collector.h"
#include "collectors/system/system_collector.h"
#include "collectors/textfile/textfile_collector.h"

namespace tocsin {
namespace {

std::chrono::milliseconds OrDefault(std::chrono::milliseconds v, std::chrono::milliseconds d) {
  return v.count() > 0 ? v : d;
}

}  // namespace

Result<std::vector<ScheduledCollector>> BuildCollectors(const Config& config,
                                                        BuildCollectorsOptions options) {
  std::vector<ScheduledCollector> out;
  const auto global = config.global.interval;
  if (config.collectors.system.enabled) {
    auto c = MakeSystemCollector(config.collectors.system);
    if (!c.ok()) return c.status().WithContext("collectors.system");
    auto interval = OrDefault(config.collectors.system.interval, global);
    out.push_back(
        {std::move(c).value(), interval, OrDefault(config.collectors.system.timeout, interval)});
  }
  auto http = std::make_shared<CurlHttpClient>();  // scrape targets and probes share it
  for (const ScrapeConfig& scrape : config.scrape_configs) {
    for (ScheduledCollector& c : MakeScrapeCollectors(scrape, http)) out.push_back(std::move(c));
  }
  if (config.collectors.statsd.enabled && !options.bind_listeners) {
    if (options.skipped != nullptr) ++*options.skipped;
  } else if (config.collectors.statsd.enabled) {
    auto c = MakeStatsdCollector(config.collectors.statsd);
    if (!c.ok()) return c.status().WithContext("collectors.statsd");
    auto interval = OrDefault(config.collectors.statsd.interval, global);
    out.push_back({std::move(c).value(), interval, interval});
  }
  for (const ProbeConfig& probe : config.collectors.probes) {
    auto c = MakeProbeCollector(probe, http);
    if (!c.ok()) return c.status().WithContext("collectors.probes." + probe.name);
    out.push_back({std::move(c).value(), probe.interval, probe.timeout});
  }
  if (config.collectors.textfile.enabled) {
    auto c = MakeTextfileCollector(config.collectors.textfile);
    if (!c.ok()) return c.status().WithContext("collectors.textfile");
    auto interval = OrDefault(config.collectors.textfile.interval, global);
    out.push_back({std::move(c).value(), interval, interval});
  }
  for (const PostgresCollectorConfig& pg : config.collectors.postgres) {
    auto interval = OrDefault(pg.interval, global);
    auto timeout = OrDefault(pg.timeout, interval);
    auto c = MakePostgresCollector(pg, timeout);
    if (!c.ok()) return c.status();
    out.push_back({std::move(c).value(), interval, timeout});
  }
  for (const RedisCollectorConfig& rc : config.collectors.redis) {
    auto interval = OrDefault(rc.interval, global);
    auto timeout = OrDefault(rc.timeout, interval);
    auto c = MakeRedisCollector(rc, timeout);
    if (!c.ok()) return c.status();
    out.push_back({std::move(c).value(), interval, timeout});
  }
  for (const ScyllaCollectorConfig& sc : config.collectors.scylla) {
    auto interval = OrDefault(sc.interval, global);
    auto timeout = OrDefault(sc.timeout, interval);
    auto c = MakeScyllaCollector(sc, timeout, http);
    if (!c.ok()) return c.status();
    out.push_back({std::move(c).value(), interval, timeout});
  }
  return out;
}

}  // namespace tocsin
