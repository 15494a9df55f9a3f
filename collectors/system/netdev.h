// Parser of <procfs>/net/dev into node_exporter's node_network_{receive,transmit}_*_total
// counters with {device}. Devices matching `exclude` (unanchored, node_exporter's
// --collector.netdev.device-exclude) are skipped. Pure function; a malformed line fails the
// whole file. Thread-compatible.
#pragma once

#include <string_view>

#include "agent/core/regex.h"
#include "agent/core/status.h"
#include "collectors/system/sample_sink.h"

namespace tocsin::system {

Status ParseNetDev(std::string_view text, const Regex& exclude, SampleSink& sink);

}  // namespace tocsin::system
