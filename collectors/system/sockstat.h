// The sockstat part: node_exporter 1.5's `sockstat` collector over <procfs>/net/sockstat and
// <procfs>/net/sockstat6 (procfs's NetSockstat parser semantics).
//
// Gauges node_sockstat_<PROTO>_<key> for key inuse (always), orphan, tw, alloc, mem, memory
// (when the line has them), <PROTO>_mem_bytes = mem × page size, and node_sockstat_sockets_used
// from the IPv4 "sockets: used N" line. A missing file is skipped (IPv4 or IPv6 disabled); a
// malformed one fails the part. Pure functions / reads through the caller's ProcFile;
// thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "agent/core/status.h"
#include "collectors/system/proc_file.h"
#include "collectors/system/sample_sink.h"

namespace tocsin::system {

// Parses one sockstat file; `ipv6` selects sockstat6 semantics (no sockets_used).
Status ParseSockstat(std::string_view text, bool ipv6, int64_t page_size, SampleSink& sink);

Status ReadSockstat(const std::string& procfs, ProcFile& file, int64_t page_size, SampleSink& sink);

}  // namespace tocsin::system
