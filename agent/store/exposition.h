// Prometheus text format 0.0.4 writer for the store's newest samples (the /metrics snapshot).
//
// Groups samples into metric families (x_bucket/x_sum/x_count belong to family x when x is a
// histogram or summary; x_total keeps its name and is typed by metadata for x or x_total when
// that says counter, as node_exporter prints `# TYPE node_cpu_seconds_total counter`), writes
// `# HELP`/`# TYPE`, escapes label values and HELP text, and formats values as Go's
// strconv.FormatFloat(v, 'g', -1, 64) does (what Prometheus clients print). Pure functions over
// borrowed data; thread-compatible.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "agent/core/labels.h"
#include "agent/store/metadata.h"
#include "agent/store/series.h"

namespace tocsin {

using MetadataMap = std::unordered_map<std::string, Metadata>;

// Appends `v` as Prometheus prints it: NaN, +Inf, -Inf, else shortest round-trip 'g' format.
void AppendPromFloat(std::string& out, double v);

struct ExpositionSample {
  const Series* series;  // borrowed; its labels must stay alive while writing
  double value;
};

// Writes the families for `samples` (any order) to `out`. Labels in `omit` (name and value
// both equal) are left out of the lines: the target labels a scraping Prometheus attaches
// itself (global.target_labels).
void WriteTextExposition(std::vector<ExpositionSample>& samples, const MetadataMap& metadata,
                         std::string& out, const Labels& omit = {});

}  // namespace tocsin
