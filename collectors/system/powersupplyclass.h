// The "powersupplyclass" part: node_exporter 1.5's powersupplyclass collector over
// <sysfs>/class/power_supply/<supply>/ through procfs 0.8's PowerSupplyClass.
//
// Every regular file of every supply directory is read (one 128-byte read(2), trimmed); a
// file that does not exist, or whose read(2) fails with EOPNOTSUPP or EINVAL, is skipped, any
// other error fails the part (as procfs 0.8, EACCES and ENODATA included). Numeric attributes
// are parsed as Go's ParseInt(s, 0, 64) and a malformed one fails the part. Per supply not
// matching `ignored` (unanchored, --collector.powersupply.ignored-supplies, default "^$";
// applied after reading, as node_exporter): node_power_supply_<attr>{power_supply} gauges
// (raw; µA/µV/µWh/µAh/µW / 1e6; tenths of °C / 10) for each attribute present, and
// node_power_supply_info{power_supply, <string attributes that are not empty>} 1. No
// class/power_supply directory is node_exporter's ErrNoData (NotFound: success 0). Reads the
// filesystem; thread-compatible (no state).
#pragma once

#include <string>

#include "agent/core/regex.h"
#include "agent/core/status.h"
#include "collectors/system/sample_sink.h"

namespace tocsin::system {

Status ReadPowerSupplies(const std::string& sysfs, const Regex& ignored, SampleSink& sink);

}  // namespace tocsin::system
