#include "collectors/system/system_collector.h"

#include <unistd.h>

#include <functional>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "agent/core/regex.h"
#include "collectors/system/arp.h"
#include "collectors/system/bonding.h"
#include "collectors/system/cgroup_memory.h"
#include "collectors/system/conntrack.h"
#include "collectors/system/cpu_stat.h"
#include "collectors/system/cpu_sysfs.h"
#include "collectors/system/cpufreq.h"
#include "collectors/system/diskstats.h"
#include "collectors/system/dmi.h"
#include "collectors/system/edac.h"
#include "collectors/system/entropy.h"
#include "collectors/system/filefd.h"
#include "collectors/system/filesystem.h"
#include "collectors/system/hwmon.h"
#include "collectors/system/ipvs.h"
#include "collectors/system/loadavg.h"
#include "collectors/system/mdadm.h"
#include "collectors/system/meminfo.h"
#include "collectors/system/netclass.h"
#include "collectors/system/netdev.h"
#include "collectors/system/netstat.h"
#include "collectors/system/nfs.h"
#include "collectors/system/nfsd.h"
#include "collectors/system/os_release.h"
#include "collectors/system/powersupplyclass.h"
#include "collectors/system/pressure.h"
#include "collectors/system/proc_file.h"
#include "collectors/system/sample_sink.h"
#include "collectors/system/schedstat.h"
#include "collectors/system/selinux.h"
#include "collectors/system/sockstat.h"
#include "collectors/system/softnet.h"
#include "collectors/system/sysfs_file.h"
#include "collectors/system/system_time.h"
#include "collectors/system/thermal_zone.h"
#include "collectors/system/timex.h"
#include "collectors/system/udp_queues.h"
#include "collectors/system/uname.h"
#include "collectors/system/vmstat.h"
#include "collectors/system/xfs.h"

namespace tocsin {
namespace {

using system::FilesystemReader;
using system::JoinPath;
using system::ProcFile;
using system::SampleSink;

Result<Regex> CompileExclude(std::string_view key, const std::string& pattern) {
  Result<Regex> re = Regex::Compile(pattern, Regex::Anchoring::kNone);
  if (!re.ok()) return re.status().WithContext("collectors.system." + std::string(key));
  return re;
}

// Compiled patterns and constants of the network parts (netstat ... udp_queues).
struct NetParts {
  Regex netstat_fields;
  Regex netclass_exclude;
  std::optional<Regex> arp_exclude;  // unset = no filter
  std::optional<Regex> arp_include;
  int64_t page_size = 4096;
};

class SystemCollector final : public Collector {
 public:
  SystemCollector(SystemCollectorConfig config, SystemCollectorOptions options,
                  std::unique_ptr<FilesystemReader> filesystem, Regex netdev_exclude,
                  Regex diskstats_exclude)
      : config_(std::move(config)),
        options_(std::move(options)),
        clock_(options_.clock != nullptr ? options_.clock : &SystemClock::Instance()),
        filesystem_(std::move(filesystem)),
        netdev_exclude_(std::move(netdev_exclude)),
        diskstats_exclude_(std::move(diskstats_exclude)) {
    cgroup_.procfs = config_.procfs;
    cgroup_.sysfs = config_.sysfs;
    cgroup_.max_depth = options_.cgroup_max_depth;
    cgroup_.max_count = options_.cgroup_max_count;
  }

  std::string_view name() const override { return "system"; }

  Status Collect(const CollectContext& ctx, Appender& out) override {
    struct Outcome {
      std::string_view name;
      bool success;
      double seconds;
    };
    std::vector<Outcome> outcomes;
    outcomes.reserve(10);
    Status add_error;

    // Runs one part: stages its samples, flushes them only when it succeeded.
    auto run = [&](std::string_view part, const std::function<Status()>& fn) {
      if (!add_error.ok()) return;
      auto start = clock_->Monotonic();
      sink_.Clear();
      bool expired = ctx.deadline != std::chrono::steady_clock::time_point{} &&
                     std::chrono::steady_clock::now() >= ctx.deadline;
      Status st = expired ? DeadlineExceeded("collection deadline passed") : fn();
      if (st.ok()) add_error = sink_.FlushTo(out);
      sink_.Clear();
      double secs = std::chrono::duration<double>(clock_->Monotonic() - start).count();
      outcomes.push_back({part, st.ok(), secs});
    };
    // Parts that parse one file.
    auto file_part = [&](std::string_view part, std::string_view rel,
                         const std::function<Status(std::string_view)>& parse) {
      run(part, [&]() -> Status {
        Result<std::string_view> text = file_.Read(JoinPath(config_.procfs, rel));
        if (!text.ok()) return text.status();
        return parse(*text);
      });
    };

    // /proc/stat feeds two parts; read it once.
    Result<std::string_view> stat = file_.Read(JoinPath(config_.procfs, "stat"));
    // Both parts below parse the view before anything else reads through file_.
    run("cpu", [&]() -> Status {
      if (!stat.ok()) return stat.status();
      Status st = system::ParseCpuStat(*stat, user_hz_, sink_);
      if (!st.ok()) return st;
      st = system::ReadCpuIsolated(config_.sysfs, sink_);
      if (!st.ok()) return st;
      system::ReadCpuThermalThrottle(config_.sysfs, sink_);
      return Status::Ok();
    });
    run("stat", [&]() -> Status {
      if (!stat.ok()) return stat.status();
      return system::ParseKernelStat(*stat, sink_);
    });
    file_part("meminfo", "meminfo",
              [&](std::string_view t) { return system::ParseMeminfo(t, sink_); });
    file_part("loadavg", "loadavg",
              [&](std::string_view t) { return system::ParseLoadavg(t, sink_); });
    file_part("diskstats", "diskstats", [&](std::string_view t) {
      return system::ParseDiskstats(t, diskstats_exclude_, sink_);
    });
    file_part("netdev", "net/dev", [&](std::string_view t) {
      auto nohandler = [this](std::string_view device) -> std::optional<uint64_t> {
        system::SysFileRead r = system::SysRead(config_.sysfs + "/class/net/" +
                                                std::string(device) + "/statistics/rx_nohandler");
        if (!r.ok()) return std::nullopt;
        return system::ParseUintFile(r.text);
      };
      return system::ParseNetDev(t, netdev_exclude_, sink_, nohandler);
    });
    // Network protocol and interface parts (node_exporter's netstat ... udp_queues collectors).
    run("netstat",
        [&] { return system::ReadNetstat(config_.procfs, file_, net_.netstat_fields, sink_); });
    run("sockstat",
        [&] { return system::ReadSockstat(config_.procfs, file_, net_.page_size, sink_); });
    file_part("softnet", "net/softnet_stat",
              [&](std::string_view t) { return system::ParseSoftnet(t, sink_); });
    run("netclass",
        [&] { return system::ReadNetClass(config_.sysfs, net_.netclass_exclude, sink_); });
    file_part("arp", "net/arp", [&](std::string_view t) {
      return system::ParseArp(t, net_.arp_include ? &*net_.arp_include : nullptr,
                              net_.arp_exclude ? &*net_.arp_exclude : nullptr, sink_);
    });
    run("conntrack", [&]() -> Status {
      Status st = system::ReadConntrack(config_.procfs, file_, sink_);
      // node_exporter 1.5 keeps what it read before a missing file (e.g. the count and max
      // on kernels without /proc/net/stat/nf_conntrack) while reporting failure.
      if (st.code() == StatusCode::kNotFound && add_error.ok()) add_error = sink_.FlushTo(out);
      return st;
    });
    run("udp_queues", [&] { return system::ReadUdpQueues(config_.procfs, file_, sink_); });
    run("pressure", [&] { return system::ReadPressure(config_.procfs, file_, sink_); });
    // Kernel, time and host information (node_exporter's uname ... selinux collectors).
    run("uname", [&]() -> Status {
      Result<system::UnameInfo> u = options_.uname ? options_.uname() : system::RealUname();
      if (!u.ok()) return u.status();
      return system::WriteUname(*u, sink_);
    });
    file_part("vmstat", "vmstat",
              [&](std::string_view t) { return system::ParseVmstat(t, vmstat_fields_, sink_); });
    run("timex", [&]() -> Status {
      Result<system::TimexInfo> t =
          options_.adjtimex ? options_.adjtimex() : system::RealAdjtimex();
      if (!t.ok()) return t.status();
      return system::WriteTimex(*t, sink_);
    });
    run("time", [&]() -> Status {
      Result<system::WallTimeInfo> now =
          options_.wall_time ? options_.wall_time() : system::RealWallTime();
      if (!now.ok()) return now.status();
      return system::ReadTime(*now, config_.sysfs, file_, sink_);
    });
    file_part("filefd", "sys/fs/file-nr",
              [&](std::string_view t) { return system::ParseFileNr(t, sink_); });
    run("entropy", [&] { return system::ReadEntropy(config_.procfs, file_, sink_); });
    run("os", [&] { return system::ReadOsRelease(config_.rootfs, file_, sink_); });
    run("selinux", [&] {
      return system::ReadSelinux({config_.procfs, config_.sysfs, config_.rootfs}, file_, sink_);
    });
    run("cgroup", [&] { return system::ReadCgroupMemory(cgroup_, file_, sink_); });
    // Hardware parts (node_exporter's hwmon ... edac collectors). hwmon and thermal_zone keep
    // what they staged before a failure, as node_exporter has sent it by then.
    run("hwmon", [&] {
      Status st = system::ReadHwmon(config_.sysfs, sink_);
      if (!st.ok() && add_error.ok()) add_error = sink_.FlushTo(out);
      return st;
    });
    run("thermal_zone", [&] {
      Status st = system::ReadThermalZones(config_.sysfs, sink_);
      if (!st.ok() && add_error.ok()) add_error = sink_.FlushTo(out);
      return st;
    });
    run("cpufreq", [&] { return system::ReadCpufreq(config_.sysfs, sink_); });
    file_part("schedstat", "schedstat",
              [&](std::string_view t) { return system::ParseSchedstat(t, sink_); });
    file_part("mdadm", "mdstat", [&](std::string_view t) { return system::ParseMdstat(t, sink_); });
    run("powersupplyclass",
        [&] { return system::ReadPowerSupplies(config_.sysfs, power_supply_ignored_, sink_); });
    run("edac", [&] { return system::ReadEdac(config_.sysfs, sink_); });
    // node_exporter's dmi ... ipvs collectors. ipvs keeps its totals when ip_vs then fails,
    // as node_exporter has sent them by then.
    run("dmi", [&] { return system::ReadDmi(config_.sysfs, sink_); });
    run("bonding", [&] { return system::ReadBonding(config_.sysfs, sink_); });
    file_part("nfs", "net/rpc/nfs",
              [&](std::string_view t) { return system::ParseNfsClient(t, sink_); });
    file_part("nfsd", "net/rpc/nfsd",
              [&](std::string_view t) { return system::ParseNfsd(t, sink_); });
    run("xfs", [&] { return system::ReadXfs(config_.sysfs, sink_); });
    run("ipvs", [&] {
      Status st = system::ReadIpvs(config_.procfs, ipvs_backend_labels_, file_, sink_);
      if (!st.ok() && add_error.ok()) add_error = sink_.FlushTo(out);
      return st;
    });
    // Last: the only part that may wait (statvfs on a stuck mount).
    run("filesystem", [&] { return filesystem_->Read(file_, ctx.deadline, sink_); });

    if (!add_error.ok()) return add_error;
    if (ctx.stop.stop_requested()) return Status(StatusCode::kCancelled, "shutting down");

    sink_.Family("node_scrape_collector_success", MetricType::kGauge,
                 "node_exporter: Whether a collector succeeded.");
    sink_.Family("node_scrape_collector_duration_seconds", MetricType::kGauge,
                 "node_exporter: Duration of a collector scrape.");
    for (const Outcome& o : outcomes) {
      std::string part(o.name);
      sink_.Add("node_scrape_collector_success", {{"collector", part}}, o.success ? 1 : 0);
      sink_.Add("node_scrape_collector_duration_seconds", {{"collector", part}}, o.seconds);
    }
    Status st = sink_.FlushTo(out);
    sink_.Clear();
    return st;
  }

  void set_user_hz(double hz) { user_hz_ = hz; }
  void set_net_parts(NetParts net) { net_ = std::move(net); }
  void set_vmstat_fields(Regex fields) { vmstat_fields_ = std::move(fields); }
  void set_power_supply_ignored(Regex ignored) { power_supply_ignored_ = std::move(ignored); }
  void set_ipvs_backend_labels(std::vector<std::string> labels) {
    ipvs_backend_labels_ = std::move(labels);
  }

 private:
  SystemCollectorConfig config_;
  SystemCollectorOptions options_;
  const Clock* clock_;
  std::unique_ptr<FilesystemReader> filesystem_;
  Regex netdev_exclude_;
  Regex diskstats_exclude_;
  system::CgroupMemoryOptions cgroup_;
  ProcFile file_;
  SampleSink sink_;
  double user_hz_ = 100;
  NetParts net_;
  Regex vmstat_fields_;
  Regex power_supply_ignored_;
  std::vector<std::string> ipvs_backend_labels_;
};

}  // namespace

Result<std::unique_ptr<Collector>> MakeSystemCollector(const SystemCollectorConfig& config) {
  return MakeSystemCollector(config, SystemCollectorOptions{});
}

Result<std::unique_ptr<Collector>> MakeSystemCollector(const SystemCollectorConfig& config,
                                                       SystemCollectorOptions options) {
  Result<Regex> fs_types = CompileExclude("fs_types_exclude", config.fs_types_exclude);
  if (!fs_types.ok()) return fs_types.status();
  Result<Regex> mount_points = CompileExclude("mount_points_exclude", config.mount_points_exclude);
  if (!mount_points.ok()) return mount_points.status();
  Result<Regex> netdev = CompileExclude("netdev_exclude", config.netdev_exclude);
  if (!netdev.ok()) return netdev.status();
  Result<Regex> diskstats = CompileExclude("diskstats_exclude", config.diskstats_exclude);
  if (!diskstats.ok()) return diskstats.status();
  Result<Regex> vmstat_fields = CompileExclude("vmstat_fields", config.vmstat_fields);
  if (!vmstat_fields.ok()) return vmstat_fields.status();
  Result<Regex> power_supply_ignored =
      CompileExclude("powersupply_ignored", config.powersupply_ignored);
  if (!power_supply_ignored.ok()) return power_supply_ignored.status();
  Result<std::vector<std::string>> ipvs_labels =
      system::ParseIpvsLabels(config.ipvs_backend_labels);
  if (!ipvs_labels.ok()) {
    return ipvs_labels.status().WithContext("collectors.system.ipvs_backend_labels");
  }
  NetParts net;
  for (auto [key, pattern, out] :
       {std::tuple{"netstat_fields", &config.netstat_fields, &net.netstat_fields},
        std::tuple{"netclass_exclude", &config.netclass_exclude, &net.netclass_exclude}}) {
    Result<Regex> re = CompileExclude(key, *pattern);
    if (!re.ok()) return re.status();
    *out = std::move(re).value();
  }
  for (auto [key, pattern, out] :
       {std::tuple{"arp_exclude", &config.arp_exclude, &net.arp_exclude},
        std::tuple{"arp_include", &config.arp_include, &net.arp_include}}) {
    if (pattern->empty()) continue;
    Result<Regex> re = CompileExclude(key, *pattern);
    if (!re.ok()) return re.status();
    *out = std::move(re).value();
  }
  net.page_size = options.page_size;
  if (net.page_size <= 0) {
    long page = ::sysconf(_SC_PAGESIZE);
    net.page_size = page > 0 ? page : 4096;
  }
  if (options.mount_timeout <= std::chrono::milliseconds::zero()) {
    return InvalidArgument("system collector: mount timeout must be positive");
  }

  double user_hz = options.user_hz;
  if (user_hz <= 0) {
    long hz = ::sysconf(_SC_CLK_TCK);
    user_hz = hz > 0 ? static_cast<double>(hz) : 100.0;
  }
  std::shared_ptr<system::StatFs> statfs =
      options.statfs != nullptr ? options.statfs : system::MakeRealStatFs();
  system::FilesystemOptions fs_options;
  fs_options.procfs = config.procfs;
  fs_options.rootfs = config.rootfs;
  fs_options.mount_timeout = options.mount_timeout;
  auto filesystem =
      std::make_unique<FilesystemReader>(std::move(fs_options), std::move(fs_types).value(),
                                         std::move(mount_points).value(), std::move(statfs));
  auto collector =
      std::make_unique<SystemCollector>(config, std::move(options), std::move(filesystem),
                                        std::move(netdev).value(), std::move(diskstats).value());
  collector->set_user_hz(user_hz);
  collector->set_net_parts(std::move(net));
  collector->set_vmstat_fields(std::move(vmstat_fields).value());
  collector->set_power_supply_ignored(std::move(power_supply_ignored).value());
  collector->set_ipvs_backend_labels(std::move(ipvs_labels).value());
  return std::unique_ptr<Collector>(std::move(collector));
}

}  // namespace tocsin
