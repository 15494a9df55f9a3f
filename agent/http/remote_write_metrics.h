// Renders the remote_write statistics (RemoteWriteStats) as prometheus-cpp metric families:
// tocsin_remote_storage_* in Prometheus's prometheus_remote_storage_* shapes, labelled by
// remote_name and url (docs/metrics.md, "Remote write"). Pure function; thread-safe.
#pragma once

#include <prometheus/metric_family.h>

#include <vector>

#include "remote/stats.h"

namespace tocsin {

void AppendRemoteWriteFamilies(const RemoteWriteStats& stats,
                               std::vector<prometheus::MetricFamily>& out);

}  // namespace tocsin
