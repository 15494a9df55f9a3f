// The netstat part: node_exporter 1.5's `netstat` collector over <procfs>/net/netstat,
// <procfs>/net/snmp and (when IPv6 is enabled) <procfs>/net/snmp6.
//
// Every "<Proto>_<Field>" whose key matches `fields` (unanchored, node_exporter's
// --collector.netstat.fields) becomes node_netstat_<Proto>_<Field> (untyped, HELP
// "Statistic <Proto><Field>."). As in node_exporter, every value of the three files must parse
// as a number (even those the pattern drops) and a header/value line pair with differing field
// counts fails the part; a missing snmp6 is not an error, a missing netstat or snmp is.
// Pure functions over the caller's text, or reads through the caller's ProcFile;
// thread-compatible.
#pragma once

#include <string>
#include <string_view>

#include "agent/core/regex.h"
#include "agent/core/status.h"
#include "collectors/system/proc_file.h"
#include "collectors/system/sample_sink.h"

namespace tocsin::system {

// `snmp6` may be null (file absent: IPv6 disabled).
Status ParseNetstat(std::string_view netstat, std::string_view snmp, const std::string* snmp6,
                    const Regex& fields, SampleSink& sink);

// Reads the three files under `procfs` and parses them.
Status ReadNetstat(const std::string& procfs, ProcFile& file, const Regex& fields,
                   SampleSink& sink);

}  // namespace tocsin::system
