#include "collectors/system/system_collector.h"

#include <unistd.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "agent/core/regex.h"
#include "collectors/system/cgroup_memory.h"
#include "collectors/system/cpu_stat.h"
#include "collectors/system/diskstats.h"
#include "collectors/system/filesystem.h"
#include "collectors/system/loadavg.h"
#include "collectors/system/meminfo.h"
#include "collectors/system/netdev.h"
#include "collectors/system/pressure.h"
#include "collectors/system/proc_file.h"
#include "collectors/system/sample_sink.h"

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
      return system::ParseCpuStat(*stat, user_hz_, sink_);
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
    file_part("netdev", "net/dev",
              [&](std::string_view t) { return system::ParseNetDev(t, netdev_exclude_, sink_); });
    run("pressure", [&] { return system::ReadPressure(config_.procfs, file_, sink_); });
    run("cgroup", [&] { return system::ReadCgroupMemory(cgroup_, file_, sink_); });
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
  return std::unique_ptr<Collector>(std::move(collector));
}

}  // namespace tocsin
