// The sysfs series of node_exporter 1.5's "cpu" collector (cpu_linux.go), added to the cpu
// part after node_cpu_seconds_total:
//
// - node_cpu_isolated{cpu} 1 per CPU listed in <sysfs>/devices/system/cpu/isolated (procfs
//   0.8's IsolatedCPUs: comma-separated numbers and a-b ranges, trailing newlines trimmed).
//   No file: no series. node_exporter reads the file once at start and refuses to start when
//   it is malformed; tocsin reads it every cycle and a malformed one fails the cpu part.
//   Ranges are cut at 65536 CPUs (the list is uint16, as procfs).
// - node_cpu_package_throttles_total{package} and node_cpu_core_throttles_total{package,core}
//   from cpu[0-9]*/thermal_throttle/{package,core}_throttle_count, read once per package and
//   per (package, core) found in cpu[0-9]*/topology/{physical_package_id,core_id}. CPUs
//   without topology, and missing or malformed counts, are skipped; never fails.
//
// Read the filesystem; thread-compatible (no state).
#pragma once

#include <string>
#include <string_view>

#include "agent/core/status.h"
#include "collectors/system/sample_sink.h"

namespace tocsin::system {

// Parses the `isolated` file's text into node_cpu_isolated samples.
Status ParseCpuIsolated(std::string_view text, SampleSink& sink);
// Reads <sysfs>/devices/system/cpu/isolated (absent: nothing) and parses it.
Status ReadCpuIsolated(const std::string& sysfs, SampleSink& sink);
void ReadCpuThermalThrottle(const std::string& sysfs, SampleSink& sink);

}  // namespace tocsin::system
