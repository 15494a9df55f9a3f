// The process collector: the agent's own process_* series, named and described as Prometheus's
// client libraries do (client_golang's process collector), read from <procfs>/self and
// getrlimit(2). They go into the store like any collector's samples, so the agent's own API and
// rules see them (Node Exporter Full's "Exporter Process" panels query process_cpu_seconds_total,
// process_open_fds, ...), and /metrics shows them from there.
//
// A malformed /proc file fails the cycle (an error Status, never an exception). Collect is not
// called concurrently (collectors/collector.h); the collector holds only its procfs root.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "agent/core/status.h"
#include "collectors/collector.h"

namespace tocsin {

// Values read from <procfs>/self/stat and <procfs>/stat (exposed for tests).
struct ProcessStat {
  double cpu_seconds = 0;         // utime + stime
  double virtual_bytes = 0;       // vsize
  double resident_bytes = 0;      // rss pages * page size
  double start_time_seconds = 0;  // boot time + starttime
};

// Parses `self_stat` (<procfs>/self/stat) and `proc_stat` (<procfs>/stat, for btime).
Result<ProcessStat> ParseProcessStat(std::string_view self_stat, std::string_view proc_stat,
                                     double ticks_per_second, double page_size);

std::unique_ptr<Collector> MakeProcessCollector(std::string procfs = "/proc");

}  // namespace tocsin
