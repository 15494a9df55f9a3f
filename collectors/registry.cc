#include "collectors/registry.h"

#include "collectors/system/system_collector.h"

namespace tocsin {
namespace {

std::chrono::milliseconds OrDefault(std::chrono::milliseconds v, std::chrono::milliseconds d) {
  return v.count() > 0 ? v : d;
}

}  // namespace

Result<std::vector<ScheduledCollector>> BuildCollectors(const Config& config) {
  std::vector<ScheduledCollector> out;
  const auto global = config.global.interval;
  if (config.collectors.system.enabled) {
    auto c = MakeSystemCollector(config.collectors.system);
    if (!c.ok()) return c.status().WithContext("collectors.system");
    auto interval = OrDefault(config.collectors.system.interval, global);
    out.push_back(
        {std::move(c).value(), interval, OrDefault(config.collectors.system.timeout, interval)});
  }
  return out;
}

}  // namespace tocsin
