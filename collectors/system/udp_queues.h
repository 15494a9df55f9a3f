// The udp_queues part: node_exporter 1.5's `udp_queues` collector over <procfs>/net/udp and
// <procfs>/net/udp6 (procfs 0.8's NetUDPSummary).
//
// Gauge node_udp_queues{queue="tx"|"rx", ip="v4"|"v6"} = the sum of the tx_queue / rx_queue
// columns over all sockets of that file. Every socket line is checked as procfs does (at
// least 10 columns; sl, addresses, ports, state, queues, uid and inode numeric); a malformed
// line fails the part. A missing file contributes nothing; both missing is NotFound.
// Pure function / reads through the caller's ProcFile; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "agent/core/status.h"
#include "collectors/system/proc_file.h"
#include "collectors/system/sample_sink.h"

namespace tocsin::system {

struct UdpQueueSummary {
  uint64_t tx = 0;
  uint64_t rx = 0;
  uint64_t sockets = 0;
};

// Parses one /proc/net/udp{,6} file (its first line is the header).
Result<UdpQueueSummary> ParseUdpQueues(std::string_view text);

Status ReadUdpQueues(const std::string& procfs, ProcFile& file, SampleSink& sink);

}  // namespace tocsin::system
