// The "cpufreq" part: node_exporter 1.5's cpufreq collector over
// <sysfs>/devices/system/cpu/cpu[0-9]*/cpufreq/ through procfs 0.8's SystemCpufreq.
//
// Per CPU with a cpufreq directory (CPUs without one are skipped): node_cpu_frequency_hertz
// (cpuinfo_cur_freq), node_cpu_frequency_min_hertz / _max_hertz (cpuinfo_min/max_freq),
// node_cpu_scaling_frequency_hertz / _min_hertz / _max_hertz (scaling_cur/min/max_freq), kHz
// x 1000, label `cpu` = the number after "cpu". A frequency file that is absent or not
// readable (cpuinfo_cur_freq is root-only) leaves its series out; a malformed one fails the
// part. As procfs, cpuinfo_transition_latency is parsed too, and scaling_available_governors,
// scaling_driver, scaling_governor, related_cpus and scaling_setspeed must be readable or the
// part fails (1.5 exports no governor series). No cpu directory: success, no samples. Reads
// the filesystem; thread-compatible (no state).
#pragma once

#include <string>

#include "agent/core/status.h"
#include "collectors/system/sample_sink.h"

namespace tocsin::system {

Status ReadCpufreq(const std::string& sysfs, SampleSink& sink);

}  // namespace tocsin::system
