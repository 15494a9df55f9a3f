// Parser of <procfs>/diskstats into node_exporter's node_disk_* families with {device}.
//
// Understands the 14-, 18- and 20-column layouts (kernels < 4.18, >= 4.18 with discards,
// >= 5.5 with flushes) and emits only the columns present. Devices matching `exclude`
// (unanchored, node_exporter's --collector.diskstats.device-exclude) are skipped. Pure
// function; a malformed line fails the whole file. Thread-compatible.
#pragma once

#include <string_view>

#include "agent/core/regex.h"
#include "agent/core/status.h"
#include "collectors/system/sample_sink.h"

namespace tocsin::system {

Status ParseDiskstats(std::string_view text, const Regex& exclude, SampleSink& sink);

}  // namespace tocsin::system
