// The "time" part, as node_exporter 1.5's time collector: node_time_seconds,
// node_time_zone_offset_seconds{time_zone}, and node_time_clocksource_available_info /
// node_time_clocksource_current_info{device,clocksource} from
// <sysfs>/devices/system/clocksource/clocksource[0-9]* (device is the index in sorted order,
// as procfs numbers them, not the directory's suffix).
//
// The wall clock and local time zone sit behind WallTimeFn so that tests inject them.
// ReadTime is thread-compatible (uses the caller's ProcFile); RealWallTime is thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "agent/core/status.h"
#include "collectors/system/proc_file.h"
#include "collectors/system/sample_sink.h"

namespace tocsin::system {

struct WallTimeInfo {
  int64_t seconds = 0;      // since the Unix epoch
  int64_t nanoseconds = 0;  // [0, 1e9)
  std::string zone;         // abbreviation of the local zone at that time ("UTC", "CEST")
  int64_t utc_offset_seconds = 0;
};

using WallTimeFn = std::function<Result<WallTimeInfo>()>;

// clock_gettime(CLOCK_REALTIME) and localtime_r (TZ, else /etc/localtime, else UTC).
Result<WallTimeInfo> RealWallTime();

Status ReadTime(const WallTimeInfo& now, const std::string& sysfs, ProcFile& file,
                SampleSink& sink);

}  // namespace tocsin::system
