// Parser of <procfs>/meminfo into node_exporter's node_memory_* gauges.
//
// "MemTotal:  1024 kB" becomes node_memory_MemTotal_bytes 1048576; "Active(anon)" becomes
// "Active_anon"; lines without a kB unit (HugePages_Total) keep their value and get no _bytes
// suffix. Pure function; a malformed line fails the whole file (as node_exporter does).
// Thread-compatible.
#pragma once

#include <optional>
#include <string_view>

#include "agent/core/status.h"
#include "collectors/system/sample_sink.h"

namespace tocsin::system {

Status ParseMeminfo(std::string_view text, SampleSink& sink);

// Value of one meminfo field in bytes (kB fields scaled), or nullopt when absent/malformed.
// Used by the cgroup reader for the root of a cgroup v2 hierarchy.
std::optional<double> MeminfoField(std::string_view text, std::string_view key);

}  // namespace tocsin::system
