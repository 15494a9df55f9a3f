// The textfile collector: node_exporter's textfile semantics. Every `*.prom` file directly in
// the configured directory (e.g. written atomically by a backup cron job) is parsed with the
// scrape parser (text format 0.0.4) and its samples exported as they are, plus
//   node_textfile_mtime_seconds{file="<path>"}   for every file that was read successfully
//   node_textfile_scrape_error                    1 if any file or the directory had a problem
// A file with a parse error, with client-side timestamps, or whose TYPE of a family conflicts
// with an earlier file (files are read in name order) is skipped entirely and logged (rate
// limited); a HELP that differs across files becomes "Metric read from <files>" as in
// node_exporter; a series repeated across files keeps its first value and flags an error.
//
// Collect is not called concurrently (collector.h); the collector owns its read buffers.
#pragma once

#include <memory>

#include "agent/config/app_collectors_config.h"
#include "agent/core/status.h"
#include "collectors/collector.h"

namespace tocsin {

Result<std::unique_ptr<Collector>> MakeTextfileCollector(const TextfileCollectorConfig& config);

}  // namespace tocsin
