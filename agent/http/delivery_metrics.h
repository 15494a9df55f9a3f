// Renders the alert-delivery statistics (DispatcherStats) as prometheus-cpp metric families:
// tocsin_notifications_*, tocsin_alertmanager_*, tocsin_alerts_* (docs/metrics.md, Alerting).
// Pure function; thread-safe.
#pragma once

#include <prometheus/metric_family.h>

#include <vector>

#include "notifiers/stats.h"

namespace tocsin {

void AppendDeliveryFamilies(const DispatcherStats& stats,
                            std::vector<prometheus::MetricFamily>& out);

}  // namespace tocsin
