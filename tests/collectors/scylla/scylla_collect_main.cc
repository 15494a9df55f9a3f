// scylla_collect: runs one collectors.scylla instance of a tocsin config for N cycles and
// prints the exposition (see tests/collectors/postgres/collect_driver.h).
#include "collectors/scylla/scylla_collector.h"
#include "tests/collectors/postgres/collect_driver.h"

int main(int argc, char** argv) {
  auto http = std::make_shared<tocsin::CurlHttpClient>();
  return tocsin::testing::RunCollectDriver(
      argc, argv,
      [&](const tocsin::Config& config,
          const std::string& instance) -> tocsin::Result<tocsin::ScheduledCollector> {
        for (const auto& c : config.collectors.scylla) {
          if (c.name != instance) continue;
          auto interval = c.interval.count() > 0 ? c.interval : config.global.interval;
          auto timeout = c.timeout.count() > 0 ? c.timeout : interval;
          auto made = tocsin::MakeScyllaCollector(c, timeout, http);
          if (!made.ok()) return made.status();
          return tocsin::ScheduledCollector{std::move(made).value(), interval, timeout};
        }
        return tocsin::NotFound("no collectors.scylla instance named " + instance);
      });
}
