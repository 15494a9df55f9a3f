// The "thermal_zone" part: node_exporter 1.5's thermal_zone collector over
// <sysfs>/class/thermal/ through procfs 0.8's ClassThermalZoneStats and
// ClassCoolingDeviceStats.
//
// node_thermal_zone_temp{zone,type} (millidegrees / 1000) for every thermal_zone[0-9]* entry;
// node_cooling_device_cur_state / max_state{name,type} for every cooling_device[0-9]* entry.
// A zone needs `type`, `policy` and an integer `temp`; `mode` and `passive` are read when
// present (a malformed `passive` fails). A zone whose reads fail with ENODATA (e.g. a sensor
// that is not ready) is skipped, any other error fails. A cooling device needs `type` and
// integer `max_state` and `cur_state` (-1 allowed). No class/thermal directory: success with
// no samples, as node_exporter (an empty glob). When a cooling device fails after the zones
// were read, the zone samples stay in `sink` (node_exporter has sent them); the caller keeps
// them. Reads the filesystem; thread-compatible (no state).
#pragma once

#include <string>

#include "agent/core/status.h"
#include "collectors/system/sample_sink.h"

namespace tocsin::system {

Status ReadThermalZones(const std::string& sysfs, SampleSink& sink);

}  // namespace tocsin::system
