// The redis collector: redis_exporter-compatible series from INFO for one Redis server
// (docs/metrics.md, "Redis").
//
// One connection, reused across cycles; a broken one is replaced at once on the next cycle,
// repeated failures back off (0, 1, 2, 4 ... 30 s). A server that is down, refuses AUTH or
// does not answer in time yields a committed cycle with `redis_up 0` and a logged reason
// (never the password). Every call honours ctx.deadline. Collect is not called concurrently
// (collectors/collector.h); the collector owns its connection.
#pragma once

#include <chrono>
#include <memory>

#include "agent/config/datastore_collectors_config.h"
#include "agent/core/status.h"
#include "collectors/collector.h"

namespace tocsin {

// name() is "redis/<config.name>".
Result<std::unique_ptr<Collector>> MakeRedisCollector(const RedisCollectorConfig& config,
                                                      std::chrono::milliseconds timeout);

}  // namespace tocsin
