// Reader of cgroup memory accounting into cAdvisor's container_memory_usage_bytes,
// container_memory_working_set_bytes and container_spec_memory_limit_bytes, labelled {id} with
// the cgroup path ("/" for the root).
//
// Works on a v1 or hybrid layout (memory controller under <sysfs>/fs/cgroup/memory:
// memory.usage_in_bytes, memory.limit_in_bytes, memory.stat total_inactive_file) and on the
// unified v2 layout (<sysfs>/fs/cgroup: memory.current, memory.max, memory.stat inactive_file;
// the v2 root has no memory.current, so its usage is MemTotal - MemFree from <procfs>/meminfo,
// as cAdvisor/runc compute it). Exported cgroups: the root, the agent's own (from
// <procfs>/self/cgroup) and every cgroup down to `max_depth` below the root, at most
// `max_count` in all.
//
// Unlimited cgroups (v2 "max", v1 values >= 2^62 such as 9223372036854771712) get NO
// container_spec_memory_limit_bytes series: cAdvisor's 0 would make
// `container_memory_usage_bytes / container_spec_memory_limit_bytes > 0.8` divide by zero and
// fire (+Inf) for every unlimited cgroup. Not thread-safe (uses the caller's ProcFile).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "agent/core/status.h"
#include "collectors/system/proc_file.h"
#include "collectors/system/sample_sink.h"

namespace tocsin::system {

struct CgroupMemoryOptions {
  std::string procfs = "/proc";
  std::string sysfs = "/sys";
  int max_depth = 2;
  int max_count = 500;
};

Status ReadCgroupMemory(const CgroupMemoryOptions& options, ProcFile& file, SampleSink& sink);

// The agent's cgroup path for the memory controller from the text of /proc/self/cgroup:
// the v1 line whose controller list has "memory" when `v1`, else the v2 "0::" line.
std::optional<std::string> OwnCgroupPath(std::string_view proc_self_cgroup, bool v1);

}  // namespace tocsin::system
