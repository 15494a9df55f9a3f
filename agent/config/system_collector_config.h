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
  std::string mount_points_exclude =
      "^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)";
  std::string netdev_exclude = "^$";
  std::string diskstats_exclude = "^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$";
  // Network parts (node_exporter 1.5 flags and defaults). netstat: "<Proto>_<Field>" keys
  // exported as node_netstat_* (--collector.netstat.fields).
  std::string netstat_fields =
      "^(.*_(InErrors|InErrs)|Ip_Forwarding|Ip(6|Ext)_(InOctets|OutOctets)|Icmp6?_(InMsgs|OutMsgs)|"
      "TcpExt_(Listen.*|Syncookies.*|TCPSynRetrans|TCPTimeouts)|Tcp_(ActiveOpens|InSegs|OutSegs|"
      "OutRsts|PassiveOpens|RetransSegs|CurrEstab)|Udp6?_(InDatagrams|OutDatagrams|NoPorts|"
      "RcvbufErrors|SndbufErrors))$";
  // Devices without node_network_info/up/... series (--collector.netclass.ignored-devices).
  std::string netclass_exclude = "^$";
  // node_arp_entries devices (--collector.arp.device-exclude / device-include); empty = no
  // filter.
  std::string arp_exclude;
  std::string arp_include;
  // /proc/vmstat fields exported as node_vmstat_<field> (--collector.vmstat.fields).
  std::string vmstat_fields = "^(oom_kill|pgpg|pswp|pg.*fault).*";
  // Power supplies left out of node_power_supply_* (--collector.powersupply.ignored-supplies;
  // unanchored).
  std::string powersupply_ignored = "^$";
  // node_ipvs_backend_* labels, comma-separated, any of local_address, local_port,
  // remote_address, remote_port, proto, local_mark (--collector.ipvs.backend-labels).
  std::string ipvs_backend_labels =
      "local_address,local_port,remote_address,remote_port,proto,local_mark";
};

}  // namespace tocsin
