// The "nfs" part: node_exporter 1.5's nfs collector over <procfs>/net/rpc/nfs (NFS client
// RPC statistics), parsed as procfs 0.8's nfs.ParseClientRPCStats.
//
// Counters: node_nfs_packets_total{protocol=udp|tcp}, node_nfs_connections_total,
// node_nfs_rpcs_total, node_nfs_rpc_retransmissions_total,
// node_nfs_rpc_authentication_refreshes_total and node_nfs_requests_total{proto="2"|"3"|"4",
// method} for every procedure procfs models (NFSv2 18, v3 22, v4 59 incl. Null); lines the file
// lacks export zeros, as procfs' zero-valued structs do. Every line needs a key and at least
// one unsigned decimal value; an unknown key, a "procN" line whose count differs from its
// values (or v2 < 18, v3 < 22 procedures) fails the part, as do a "net" line without exactly 4
// or an "rpc" line without exactly 3 values. A v4 line with fewer than 59 procedures is padded
// with zeros (older kernels). Pure function; thread-safe.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "agent/core/status.h"
#include "collectors/system/sample_sink.h"

namespace tocsin::system {

Status ParseNfsClient(std::string_view text, SampleSink& sink);

// Shared with nfsd: a line as procfs sees it, key and values (util.ParseUint64s of the
// fields after the first, at most `max_values` of them when set).
struct NfsLine {
  std::string_view key;
  std::vector<uint64_t> values;
};
Status ParseNfsLine(std::string_view line, std::string_view file, NfsLine& out,
                    size_t max_values = 0);

// procfs' "procN" rule: values[0] is the count of the values after it and at least `min`.
bool NfsProcCountOk(const std::vector<uint64_t>& v, uint64_t min);

}  // namespace tocsin::system
