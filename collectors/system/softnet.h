// The softnet part: node_exporter 1.5's `softnet` collector over <procfs>/net/softnet_stat
// (procfs 0.8's parser): one line per online CPU, at least 9 hexadecimal columns.
//
// Counters node_softnet_processed_total, node_softnet_dropped_total and
// node_softnet_times_squeezed_total (columns 1-3, 32-bit hex) with label `cpu` = the line's
// index ("0", "1", ...), as node_exporter 1.5 numbers them. A short line or a non-hex value in
// the first three columns fails the part. Pure function; thread-compatible.
#pragma once

#include <string_view>

#include "agent/core/status.h"
#include "collectors/system/sample_sink.h"

namespace tocsin::system {

Status ParseSoftnet(std::string_view text, SampleSink& sink);

}  // namespace tocsin::system
