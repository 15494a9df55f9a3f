// The netclass part: node_exporter 1.5's `netclass` collector (sysfs mode, its default) over
// <sysfs>/class/net/<iface>/, with procfs 0.8's NetClassIface reading rules.
//
// Devices: every entry of class/net that is not a regular file (symlinks and directories;
// "bonding_masters" is skipped), minus those matching `ignored` (unanchored,
// --collector.netclass.ignored-devices). Every regular file of a device directory is read
// with a single read(2) of at most 128 bytes and trimmed; a read failing with ENOENT, EACCES,
// EPERM, EOPNOTSUPP or EINVAL (e.g. `speed` or `carrier` of a down link) leaves that attribute
// out, any other error fails the part. Numeric attributes are parsed as Go's ParseInt(s, 0,
// 64); an unparsable one is exported as 0, as procfs 0.8 does.
//
// Per device: node_network_up, node_network_info{device,address,broadcast,duplex,operstate,
// ifalias}, and the gauges/counters named in netclass.cc when their file was read. Reads the
// filesystem; thread-compatible (no state).
#pragma once

#include <string>

#include "agent/core/regex.h"
#include "agent/core/status.h"
#include "collectors/system/sample_sink.h"

namespace tocsin::system {

Status ReadNetClass(const std::string& sysfs, const Regex& ignored, SampleSink& sink);

// True when a read(2) failing with `err` leaves the attribute out instead of failing the part.
bool NetClassSkippableReadError(int err);

}  // namespace tocsin::system
