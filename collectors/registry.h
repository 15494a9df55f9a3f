// Builds the collectors a configuration asks for, with their interval and timeout.
// The one place that knows every collector type; the runtime only sees ScheduledCollector.
#pragma once

#include <vector>

#include "agent/config/config.h"
#include "agent/core/status.h"
#include "collectors/collector.h"

namespace tocsin {

struct BuildCollectorsOptions {
  // False for `tocsin check config`: collectors that own a listening socket (statsd) are left
  // out instead of binding it (a running agent may hold the port); their configuration has
  // already been validated when it loaded. `skipped` counts them.
  bool bind_listeners = true;
  int* skipped = nullptr;
};

Result<std::vector<ScheduledCollector>> BuildCollectors(const Config& config,
                                                        BuildCollectorsOptions options = {});

}  // namespace tocsin
