// Parser of <procfs>/loadavg into node_load1, node_load5, node_load15.
// Pure function; thread-compatible.
#pragma once

#include <string_view>

#include "agent/core/status.h"
#include "collectors/system/sample_sink.h"

namespace tocsin::system {

Status ParseLoadavg(std::string_view text, SampleSink& sink);

}  // namespace tocsin::system
