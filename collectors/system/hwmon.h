// The "hwmon" part: node_exporter 1.5's hwmon collector over <sysfs>/class/hwmon/hwmon*/
// (hwmon_linux.go; 1.5 has no chip include/exclude flags, every chip is exported).
//
// Per chip directory (entries of class/hwmon that are directories or links to one): the chip
// label is "<parent>_<name>" of the resolved `device` link (e.g. platform_coretemp_0,
// pci0000_00_0000_00_18_3), else the `name` file, else the directory's own name, all through
// node_exporter's cleanMetricName (lower case, [^a-z0-9:_] -> '_', '_' trimmed). Sensor files
// `<type><n>[_<property>]` of the chip directory and of its `device` directory (which wins)
// are read with one 128-byte read(2), newlines trimmed; unreadable files are skipped, values
// that Go's ParseFloat rejects are skipped. Series: node_hwmon_chip_names{chip,chip_name},
// node_hwmon_sensor_label{chip,sensor,label}, and per sensor element the names, HELP texts
// and unit scaling of hwmon_linux.go (see hwmon.cc and docs/metrics.md).
//
// Errors: no class/hwmon directory is node_exporter's ErrNoData (NotFound, success 0, no
// samples). A chip whose directory cannot be listed or named is left out and fails the part,
// while the other chips' samples stay in `sink` (node_exporter sends each chip's metrics
// before it returns the last chip error); the caller keeps them. Reads the filesystem;
// thread-compatible (no state).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "agent/core/status.h"
#include "collectors/system/sample_sink.h"

namespace tocsin::system {

Status ReadHwmon(const std::string& sysfs, SampleSink& sink);

// node_exporter's cleanMetricName (exposed for tests).
std::string HwmonCleanName(std::string_view name);

// node_exporter's explodeSensorFilename: splits "temp1_input" into ("temp", 1, "input");
// false when the name does not have that shape (exposed for tests).
bool HwmonExplodeFilename(std::string_view filename, std::string& type, int64_t& num,
                          std::string& property);

}  // namespace tocsin::system
