// The "schedstat" part: node_exporter 1.5's schedstat collector over <procfs>/schedstat
// through procfs 0.8's Schedstat.
//
// Every line in which procfs' unanchored `cpu(\d+) (\d+) ... (\d+)` (ten numbers after
// "cpu") matches gives node_schedstat_running_seconds_total, _waiting_seconds_total (fields 7
// and 8, ns / 1e9) and node_schedstat_timeslices_total (field 9), label `cpu`; other lines
// (version, timestamp, domain lines) and lines whose numbers overflow uint64 are skipped.
// Errors: a missing file is node_exporter's ErrNoData (NotFound: success 0, no samples).
// Pure parsing over the file's text; thread-compatible.
#pragma once

#include <string_view>

#include "agent/core/status.h"
#include "collectors/system/sample_sink.h"

namespace tocsin::system {

Status ParseSchedstat(std::string_view text, SampleSink& sink);

}  // namespace tocsin::system
