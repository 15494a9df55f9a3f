// The system collector: node_exporter-compatible host metrics (cpu, stat, meminfo, loadavg,
// filesystem, diskstats, netdev, pressure, hardware: hwmon ... edac) and cAdvisor-compatible
// cgroup memory, read from a configurable procfs/sysfs/rootfs.
//
// Each part ("sub-collector") is read independently: one that fails (missing file, parse
// error) contributes no samples, and node_scrape_collector_success{collector} /
// node_scrape_collector_duration_seconds{collector} report every part, as node_exporter does.
// The returned Collector follows collectors/collector.h: Collect is not called concurrently;
// the collector owns its buffers, compiled exclusion regexes and statvfs helper state.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include "agent/config/system_collector_config.h"
#include "agent/core/clock.h"
#include "agent/core/status.h"
#include "collectors/collector.h"
#include "collectors/system/statfs.h"
#include "collectors/system/system_time.h"
#include "collectors/system/timex.h"
#include "collectors/system/uname.h"

namespace tocsin {

// Knobs that are not (yet) in SystemCollectorConfig, and test seams. Defaults are what the
// daemon uses.
struct SystemCollectorOptions {
  // statvfs time bound per mount (node_exporter's --collector.filesystem.mount-timeout).
  std::chrono::milliseconds mount_timeout{5000};
  // cgroups exported besides the root and tocsin's own: every cgroup up to this depth below
  // the root ("/system.slice/postgresql.service" is depth 2). 0 = root and own only.
  int cgroup_max_depth = 2;
  // Upper bound on the number of cgroups exported per scrape (root and own always included).
  int cgroup_max_count = 500;
  // Test seams: null/0 = the real thing.
  std::shared_ptr<system::StatFs> statfs;  // statvfs(2)
  const Clock* clock = nullptr;            // SystemClock; only used to time the parts
  double user_hz = 0;                      // sysconf(_SC_CLK_TCK)
  int64_t page_size = 0;                   // sysconf(_SC_PAGESIZE) (sockstat *_mem_bytes)
  system::UnameFn uname;                   // uname(2)
  system::AdjtimexFn adjtimex;             // adjtimex(2)
  system::WallTimeFn wall_time;            // clock_gettime(CLOCK_REALTIME) + local time zone
};

// Compiles the exclusion regexes (unanchored, node_exporter semantics); InvalidArgument names
// the offending key.
Result<std::unique_ptr<Collector>> MakeSystemCollector(const SystemCollectorConfig& config);
Result<std::unique_ptr<Collector>> MakeSystemCollector(const SystemCollectorConfig& config,
                                                       SystemCollectorOptions options);

}  // namespace tocsin
