// Binders of the application-facing collectors' config sections (scrape_configs, statsd,
// probes, textfile), called from loader.cc. Pure functions over MapReader; not synchronised.
#pragma once

#include <vector>

#include "agent/config/config.h"
#include "agent/config/map_reader.h"

namespace tocsin {

// The top-level `scrape_configs` list.
void BindScrapeConfigs(MapReader& r, std::vector<ScrapeConfig>& out, const GlobalConfig& global);
// `collectors.statsd`, `collectors.probes`, `collectors.textfile`.
void BindAppCollectors(MapReader& r, CollectorsConfig& collectors, const GlobalConfig& global);

}  // namespace tocsin
