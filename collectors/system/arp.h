// The arp part: node_exporter 1.5's `arp` collector over <procfs>/net/arp.
//
// Gauge node_arp_entries{device} = the number of ARP table lines per device (the last
// column). Every line, the header included, must have at least 6 columns, else the part fails.
// A device is dropped when it matches `exclude` or does not match `include` (each optional,
// unanchored; node_exporter's --collector.arp.device-exclude / device-include).
// Pure function; thread-compatible.
#pragma once

#include <string_view>

#include "agent/core/regex.h"
#include "agent/core/status.h"
#include "collectors/system/sample_sink.h"

namespace tocsin::system {

// `include` and `exclude` may be null (no filter).
Status ParseArp(std::string_view text, const Regex* include, const Regex* exclude,
                SampleSink& sink);

}  // namespace tocsin::system
