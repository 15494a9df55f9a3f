// Configuration of the system collector (`collectors.system`, docs/configuration.md): where
// procfs, sysfs and the root filesystem are, and node_exporter's default exclude patterns.
// A leaf header that the config loader fills and the collector reads. Plain struct; copy
// freely; not synchronised.
#pragma once

#include <chrono>
#include <string>

namespace tocsin {

struct SystemCollectorConfig {
  bool enabled = false;
  std::string procfs = "/proc";
  std::string sysfs = "/sys";
  std::string rootfs = "/";               // where mount points are resolved for statfs
  std::chrono::milliseconds interval{0};  // 0 = global.interval
  std::chrono::milliseconds timeout{0};   // 0 = the interval
  // Filesystems whose type or mount point match are skipped (node_exporter's defaults).
  std::string fs_types_exclude =
      "^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|"
      "iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|"
      "sysfs|tracefs)$";
  std::string mount_points_exclude = "^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+)($|/)";
  std::string netdev_exclude = "^$";
  std::string diskstats_exclude = "^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$";
};

}  // namespace tocsin
