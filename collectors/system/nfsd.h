// The "nfsd" part: node_exporter 1.5's nfsd collector over <procfs>/net/rpc/nfsd (NFS server
// statistics), parsed as procfs 0.8's nfs.ParseServerRPCStats.
//
// node_nfsd_reply_cache_{hits,misses,nocache}_total (rc), node_nfsd_file_handles_stale_total
// (fh), node_nfsd_disk_bytes_{read,written}_total (io), node_nfsd_server_threads (th, gauge),
// node_nfsd_read_ahead_cache_size_blocks (gauge) / _not_found_total (ra),
// node_nfsd_packets_total{proto=udp|tcp}, node_nfsd_connections_total (net),
// node_nfsd_rpc_errors_total{error=fmt|auth|cInt}, node_nfsd_server_rpcs_total (rpc) and
// node_nfsd_requests_total{proto, method} for node_exporter's NFSv2 (17), v3 (21) and v4
// operation (33, from proc4ops) lists; lines the file lacks export zeros (recent kernels have no
// "ra" line). Each line needs its exact value count (rc 3, fh 5, io 2, th ≥ 2 of which the
// first two are used, ra 12, net 4, rpc 5, proc4 exactly 2 procedures, proc2 ≥ 18, proc3 ≥ 22,
// proc4ops ≥ 39 with a matching count); any unknown key or non-numeric value fails the part.
// Pure function; thread-safe.
#pragma once

#include <string_view>

#include "agent/core/status.h"
#include "collectors/system/sample_sink.h"

namespace tocsin::system {

Status ParseNfsd(std::string_view text, SampleSink& sink);

}  // namespace tocsin::system
