// The "ipvs" part: node_exporter 1.5's ipvs collector over <procfs>/net/ip_vs_stats and
// <procfs>/net/ip_vs, parsed as procfs 0.8 does.
//
// From ip_vs_stats (its third line, five hex numbers): the counters
// node_ipvs_{connections,incoming_packets,outgoing_packets,incoming_bytes,outgoing_bytes}_total.
// From ip_vs, per real server ("->" line) under its virtual service (TCP/UDP address:port, or
// FWM mark): the gauges node_ipvs_backend_connections_{active,inactive} and
// node_ipvs_backend_weight, labelled with the configured subset of local_address, local_port,
// remote_address, remote_port, proto, local_mark (--collector.ipvs.backend-labels; default
// all six) and summed over servers whose selected label values coincide. Addresses print as
// Go's net.IP.String (dotted IPv4, RFC 5952 IPv6, IPv4-mapped as IPv4), ports in decimal.
//
// Errors, as node_exporter: no ip_vs_stats (no IPVS module) → NotFound, nothing staged; a
// malformed ip_vs_stats → failure, nothing staged; an unreadable or malformed ip_vs (bad
// address, port, or number; a one-field line, on which node_exporter would panic) → failure
// with the five totals already staged (node_exporter has sent them: the caller keeps them).
// Reads the filesystem; thread-compatible.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "agent/core/status.h"
#include "collectors/system/proc_file.h"
#include "collectors/system/sample_sink.h"

namespace tocsin::system {

// node_exporter's parseIpvsLabels: the comma-separated names (empty items ignored) in the
// canonical order; InvalidArgument naming the unknown ones.
Result<std::vector<std::string>> ParseIpvsLabels(std::string_view list);

Status ReadIpvs(const std::string& procfs, const std::vector<std::string>& backend_labels,
                ProcFile& file, SampleSink& sink);

// Parsers of the two files (exposed for tests).
Status ParseIpvsStats(std::string_view text, SampleSink& sink);
Status ParseIpvsBackends(std::string_view text, const std::vector<std::string>& backend_labels,
                         SampleSink& sink);

// Go's net.IP.String for a 4- or 16-byte address.
std::string GoIpString(const unsigned char* ip, size_t len);

}  // namespace tocsin::system
