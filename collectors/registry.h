// Builds the collectors a configuration asks for, with their interval and timeout.
// The one place that knows every collector type; the runtime only sees ScheduledCollector.
#pragma once

#include <vector>

#include "agent/config/config.h"
#include "agent/core/status.h"
#include "collectors/collector.h"

namespace tocsin {

Result<std::vector<ScheduledCollector>> BuildCollectors(const Config& config);

}  // namespace tocsin
