// Parsers of <procfs>/stat: per-CPU time (node_exporter's "cpu" collector) and the kernel
// counters (its "stat" collector: boot time, context switches, interrupts, forks, procs).
//
// Pure functions over the file's text; they stage samples in the given sink and return an
// error (leaving the sink to be discarded by the caller) when a line they use is malformed.
// Thread-compatible.
#pragma once

#include <string_view>

#include "agent/core/status.h"
#include "collectors/system/sample_sink.h"

namespace tocsin::system {

// node_cpu_seconds_total{cpu,mode} and node_cpu_guest_seconds_total{cpu,mode}; `user_hz` is
// the kernel's USER_HZ (sysconf(_SC_CLK_TCK)).
Status ParseCpuStat(std::string_view text, double user_hz, SampleSink& sink);

// node_boot_time_seconds, node_context_switches_total, node_intr_total, node_forks_total,
// node_procs_running, node_procs_blocked.
Status ParseKernelStat(std::string_view text, SampleSink& sink);

}  // namespace tocsin::system
