// The "selinux" part, as node_exporter 1.5's selinux collector (go-selinux 1.10): SELinux
// counts as enabled when selinuxfs is mounted at <sysfs>/fs/selinux (detected by its "enforce"
// file rather than by statfs magic, so fixture trees work) and this process's label
// (<procfs>/thread-self/attr/current, else <procfs>/self/attr/current) is not "kernel".
// node_selinux_enabled is always exported; when enabled, node_selinux_config_mode
// (SELINUX= in <rootfs>/etc/selinux/config: enforcing 1, permissive 0, else -1) and
// node_selinux_current_mode (the enforce file; -1 when unreadable) as well. Never fails.
// Thread-compatible (uses the caller's ProcFile).
#pragma once

#include <string>

#include "agent/core/status.h"
#include "collectors/system/proc_file.h"
#include "collectors/system/sample_sink.h"

namespace tocsin::system {

struct SelinuxPaths {
  std::string procfs = "/proc";
  std::string sysfs = "/sys";
  std::string rootfs = "/";
};

Status ReadSelinux(const SelinuxPaths& paths, ProcFile& file, SampleSink& sink);

}  // namespace tocsin::system
