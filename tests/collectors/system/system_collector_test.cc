// Golden tests of the system collector over fixture /proc and /sys trees.
#include "collectors/system/system_collector.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "agent/core/clock.h"
#include "collectors/system/proc_file.h"
#include "tests/collectors/system/fake_statfs.h"
#include "tests/collectors/system/golden.h"
#include "tests/fakes/recording_appender.h"

namespace tocsin {
namespace {

using testing::ExpectGolden;
using testing::FakeStatFs;
using testing::RecordingAppender;
using testing::SystemFixtureDir;

system::FsStats Fs(uint64_t bsize, uint64_t blocks, uint64_t bfree, uint64_t bavail, uint64_t files,
                   uint64_t ffree) {
  return system::FsStats{bsize, blocks, bfree, bavail, files, ffree};
}

// The statvfs answers for the mount points of the fixtures' mount tables, as seen under
// `rootfs` (the collector joins it to each mount point).
std::shared_ptr<FakeStatFs> FixtureStatFs(const std::string& rootfs) {
  auto at = [&](const char* mount_point) { return system::JoinPath(rootfs, mount_point); };
  return std::make_shared<FakeStatFs>(std::map<std::string, system::FsStats>{
      {at("/"), Fs(4096, 66053998, 61798319, 20829594, 16777216, 16363559)},
      {at("/var/lib/postgresql"), Fs(4096, 26214400, 13107200, 11796480, 6553600, 6553000)},
      {at("/srv/backup copies"), Fs(4096, 1000, 10, 0, 64, 3)},
      {at("/run"), Fs(4096, 1234250, 1234000, 1234000, 3086000, 3085000)},
      // /mnt/nfs is absent: its statvfs fails (device_error 1).
  });
}

// Fixed answers for the syscall-backed parts (uname, timex, time), so goldens do not depend on
// the machine running the tests.
void InjectFixtureSyscalls(SystemCollectorOptions& options) {
  if (!options.uname) {
    options.uname = [] {
      return Result<system::UnameInfo>(system::UnameInfo{
          "Linux", "6.1.0-18-amd64", "#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)",
          "x86_64", "db-7", "(none)"});
    };
  }
  if (!options.adjtimex) {
    options.adjtimex = [] {
      system::TimexInfo t;  // a chrony-disciplined clock: STA_PLL | STA_NANO
      t.state = 0;
      t.status = 0x2001;
      t.offset = -45678;  // ns
      t.freq = -1216963;  // -18.57 ppm, in 2^-16 ppm
      t.maxerror = 12500;
      t.esterror = 1500;
      t.constant = 7;
      t.tick = 10000;
      t.tai = 37;
      return Result<system::TimexInfo>(t);
    };
  }
  if (!options.wall_time) {
    options.wall_time = [] {
      return Result<system::WallTimeInfo>(
          system::WallTimeInfo{1'700'000'000, 123'456'789, "CET", 3600});
    };
  }
}

struct CollectRun {
  Status status;
  RecordingAppender out;
};

void CollectWith(SystemCollectorConfig config, CollectRun& run,
                 SystemCollectorOptions options = SystemCollectorOptions{}) {
  config.enabled = true;
  static FakeClock clock(1'700'000'000'000);
  if (!options.statfs) options.statfs = FixtureStatFs(config.rootfs);
  InjectFixtureSyscalls(options);
  options.clock = &clock;
  options.user_hz = 100;
  if (options.page_size == 0) options.page_size = 4096;  // sockstat *_mem_bytes
  Result<std::unique_ptr<Collector>> c = MakeSystemCollector(config, std::move(options));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ((*c)->name(), "system");
  CollectContext ctx;
  ctx.now_ms = 1'700'000'000'000;
  ctx.deadline = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  run.status = (*c)->Collect(ctx, run.out);
}

void Collect(const std::string& fixture, CollectRun& run,
             SystemCollectorOptions options = SystemCollectorOptions{}) {
  SystemCollectorConfig config;
  config.procfs = SystemFixtureDir(fixture) + "/proc";
  config.sysfs = SystemFixtureDir(fixture) + "/sys";
  config.rootfs = SystemFixtureDir(fixture) + "/rootfs";
  CollectWith(std::move(config), run, std::move(options));
}

double Success(const RecordingAppender& out, const std::string& part) {
  auto v = out.Value(Labels{{"__name__", "node_scrape_collector_success"}, {"collector", part}});
  return v ? *v : -1;
}

void ExpectWellFormed(const RecordingAppender& out) {
  EXPECT_TRUE(out.NamesWithoutMetadata().empty())
      << "no metadata for: " << ::testing::PrintToString(out.NamesWithoutMetadata());
  EXPECT_TRUE(out.DuplicateSeries().empty())
      << "duplicates: " << ::testing::PrintToString(out.DuplicateSeries());
}

TEST(SystemCollectorGolden, V1Hybrid) {
  CollectRun run;
  Collect("v1_hybrid", run);
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  ExpectWellFormed(run.out);
  ExpectGolden(SystemFixtureDir("v1_hybrid") + "/expected.prom", run.out.Render());
}

TEST(SystemCollectorGolden, V2) {
  CollectRun run;
  Collect("v2", run);
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  ExpectWellFormed(run.out);
  ExpectGolden(SystemFixtureDir("v2") + "/expected.prom", run.out.Render());
}

TEST(SystemCollector, OwnCgroupIsExportedWhateverTheDepth) {
  SystemCollectorOptions options;
  options.cgroup_max_depth = 0;
  CollectRun run;
  Collect("v2", run, options);
  ASSERT_TRUE(run.status.ok());
  std::set<std::string> ids;
  for (const auto& s : run.out.Series("container_memory_usage_bytes")) {
    ids.insert(std::string(s.labels.Get("id")));
  }
  EXPECT_EQ(ids, (std::set<std::string>{"/", "/system.slice/tocsin.service"}));
  // The v2 root has no memory.current: MemTotal - MemFree from meminfo.
  EXPECT_EQ(run.out.Value(Labels{{"__name__", "container_memory_usage_bytes"}, {"id", "/"}}),
            (24684096.0 - 19000000.0) * 1024);
  // Unlimited ("max") cgroups export no limit, so usage / limit has no result for them.
  EXPECT_TRUE(run.out.Series("container_spec_memory_limit_bytes").empty());
}

TEST(SystemCollectorGolden, BrokenFilesFailOnlyTheirPart) {
  CollectRun run;
  Collect("broken", run);
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  ExpectWellFormed(run.out);
  ExpectGolden(SystemFixtureDir("broken") + "/expected.prom", run.out.Render());
  EXPECT_EQ(Success(run.out, "cpu"), 0);
  EXPECT_EQ(Success(run.out, "stat"), 1);
  EXPECT_EQ(Success(run.out, "meminfo"), 0);
  EXPECT_EQ(Success(run.out, "loadavg"), 0);
  EXPECT_EQ(Success(run.out, "diskstats"), 0);
  EXPECT_EQ(Success(run.out, "netdev"), 0);
  EXPECT_EQ(Success(run.out, "pressure"), 1);  // no PSI on this "kernel": skipped silently
  EXPECT_EQ(Success(run.out, "cgroup"), 0);
  EXPECT_EQ(Success(run.out, "filesystem"), 0);
  EXPECT_EQ(Success(run.out, "vmstat"), 0);   // a line without value
  EXPECT_EQ(Success(run.out, "filefd"), 0);   // spaces, not tabs
  EXPECT_EQ(Success(run.out, "entropy"), 0);  // not a number
  EXPECT_EQ(Success(run.out, "time"), 0);     // clocksource0 without current_clocksource
  EXPECT_EQ(Success(run.out, "os"), 0);       // unmatched quote
  EXPECT_EQ(Success(run.out, "uname"), 1);
  EXPECT_EQ(Success(run.out, "timex"), 1);
  EXPECT_EQ(Success(run.out, "selinux"), 1);
  EXPECT_EQ(Success(run.out, "netstat"), 0);           // truncated value line
  EXPECT_EQ(Success(run.out, "sockstat"), 0);          // key without value
  EXPECT_EQ(Success(run.out, "softnet"), 0);           // 5 columns
  EXPECT_EQ(Success(run.out, "netclass"), 0);          // dangling device link
  EXPECT_EQ(Success(run.out, "arp"), 0);               // truncated line
  EXPECT_EQ(Success(run.out, "conntrack"), 0);         // count not a number
  EXPECT_EQ(Success(run.out, "udp_queues"), 0);        // non-hex queue
  EXPECT_EQ(Success(run.out, "hwmon"), 1);             // an unparsable value is only skipped
  EXPECT_EQ(Success(run.out, "thermal_zone"), 0);      // temp not a number
  EXPECT_EQ(Success(run.out, "cpufreq"), 0);           // "1800 MHz"
  EXPECT_EQ(Success(run.out, "schedstat"), 0);         // no file: node_exporter's ErrNoData
  EXPECT_EQ(Success(run.out, "mdadm"), 0);             // device without status lines
  EXPECT_EQ(Success(run.out, "powersupplyclass"), 0);  // capacity "full"
  EXPECT_EQ(Success(run.out, "edac"), 0);              // ue_count not a number
  EXPECT_EQ(run.out.Series("node_hwmon_temp_celsius").size(), 1u);
  EXPECT_TRUE(run.out.Series("node_thermal_zone_temp").empty());
  EXPECT_TRUE(run.out.Series("node_edac_correctable_errors_total").empty());
  EXPECT_TRUE(run.out.Series("node_power_supply_info").empty());
  EXPECT_TRUE(run.out.Series("node_sockstat_sockets_used").empty());
  EXPECT_TRUE(run.out.Series("node_nf_conntrack_entries_limit").empty());
  EXPECT_TRUE(run.out.Series("node_vmstat_nr_free_pages").empty());
  EXPECT_TRUE(run.out.Series("node_time_seconds").empty());
  // A part that failed halfway leaves nothing behind (cpu0 parsed before cpu1 failed).
  EXPECT_TRUE(run.out.Series("node_cpu_seconds_total").empty());
  EXPECT_TRUE(run.out.Series("node_memory_MemTotal_bytes").empty());
  EXPECT_TRUE(run.out.Series("node_disk_reads_completed_total").empty());
}

TEST(SystemCollector, MissingRootsFailEveryPartButNotTheCollection) {
  SystemCollectorConfig config;
  config.procfs = ::testing::TempDir() + "/tocsin-no-such-proc";
  config.sysfs = ::testing::TempDir() + "/tocsin-no-such-sys";
  config.rootfs = ::testing::TempDir() + "/tocsin-no-such-root";
  CollectRun run;
  CollectWith(config, run);
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  for (const char* part : {"cpu", "stat", "meminfo", "loadavg", "diskstats", "netdev", "cgroup",
                           "filesystem", "vmstat", "filefd", "entropy", "os"}) {
    EXPECT_EQ(Success(run.out, part), 0) << part;
  }
  EXPECT_EQ(Success(run.out, "pressure"), 1);
  for (const char* part : {"netstat", "softnet", "netclass", "arp", "conntrack", "udp_queues"}) {
    EXPECT_EQ(Success(run.out, part), 0) << part;
  }
  EXPECT_EQ(Success(run.out, "sockstat"), 1);  // neither IPv4 nor IPv6: nothing to report
  // Hardware parts: ErrNoData in node_exporter 1.5 for these ...
  for (const char* part : {"hwmon", "schedstat", "mdadm", "powersupplyclass"}) {
    EXPECT_EQ(Success(run.out, part), 0) << part;
  }
  // ... and an empty glob, so success, for these.
  for (const char* part : {"thermal_zone", "cpufreq", "edac"}) {
    EXPECT_EQ(Success(run.out, part), 1) << part;
  }
  // Parts that need no file: syscalls, and "no selinuxfs" / "no clocksource" are answers.
  for (const char* part : {"uname", "timex", "time", "selinux"}) {
    EXPECT_EQ(Success(run.out, part), 1) << part;
  }
  // Besides success and duration per part, only those parts' samples.
  for (const auto& s : run.out.samples()) {
    std::string_view name = s.labels.Get("__name__");
    EXPECT_TRUE(name.starts_with("node_scrape_collector_") || name.starts_with("node_uname_") ||
                name.starts_with("node_timex_") || name.starts_with("node_time_") ||
                name == "node_selinux_enabled")
        << name;
  }
}

TEST(SystemCollector, InvalidExclusionRegexIsAConfigError) {
  SystemCollectorConfig config;
  config.netdev_exclude = "(unclosed";
  auto c = MakeSystemCollector(config);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(c.status().message().find("collectors.system.netdev_exclude"), std::string::npos)
      << c.status().message();
}

TEST(SystemCollector, InvalidVmstatFieldsIsAConfigError) {
  SystemCollectorConfig config;
  config.vmstat_fields = "pg(";
  auto c = MakeSystemCollector(config);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("collectors.system.vmstat_fields"), std::string::npos)
      << c.status().message();
}

TEST(SystemCollector, InvalidPowerSupplyPatternIsAConfigError) {
  SystemCollectorConfig config;
  config.powersupply_ignored = "(BAT";
  auto c = MakeSystemCollector(config);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("collectors.system.powersupply_ignored"), std::string::npos)
      << c.status().message();
}

TEST(SystemCollector, UnknownIpvsBackendLabelIsAConfigError) {
  SystemCollectorConfig config;
  config.ipvs_backend_labels = "proto,vip";
  auto c = MakeSystemCollector(config);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("collectors.system.ipvs_backend_labels"), std::string::npos)
      << c.status().ToString();
  EXPECT_NE(c.status().message().find("vip"), std::string::npos);
}

TEST(SystemCollector, PowerSupplyPatternComesFromTheConfig) {
  SystemCollectorConfig config;
  config.procfs = SystemFixtureDir("v2") + "/proc";
  config.sysfs = SystemFixtureDir("v2") + "/sys";
  config.powersupply_ignored = "^BAT";  // unanchored at the end, as node_exporter
  CollectRun run;
  CollectWith(config, run);
  ASSERT_TRUE(run.status.ok());
  EXPECT_EQ(Success(run.out, "powersupplyclass"), 1);
  EXPECT_EQ(run.out.Series("node_power_supply_info").size(), 1u);
  EXPECT_EQ(run.out.Value(Labels{{"__name__", "node_power_supply_online"}, {"power_supply", "AC"}}),
            1);
  EXPECT_TRUE(run.out.Series("node_power_supply_capacity").empty());
}

TEST(SystemCollector, HwmonKeepsGoodChipsWhenOneFails) {
  std::string dir = ::testing::TempDir() + "/tocsin-system-hwmon";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir + "/sys/class/hwmon/hwmon0");
  std::ofstream(dir + "/sys/class/hwmon/hwmon0/temp1_input") << "42000\n";
  // A chip whose `device` link points at something that is not a directory cannot be listed.
  std::filesystem::create_directories(dir + "/sys/class/hwmon/hwmon1");
  std::ofstream(dir + "/sys/class/hwmon/hwmon1/name") << "broken\n";
  std::ofstream(dir + "/sys/notadir") << "x\n";
  std::filesystem::create_symlink(dir + "/sys/notadir", dir + "/sys/class/hwmon/hwmon1/device");
  SystemCollectorConfig config;
  config.procfs = dir + "/proc";
  config.sysfs = dir + "/sys";
  config.rootfs = dir;
  CollectRun run;
  CollectWith(config, run);
  ASSERT_TRUE(run.status.ok());
  EXPECT_EQ(Success(run.out, "hwmon"), 0);
  EXPECT_EQ(run.out.Value(Labels{
                {"__name__", "node_hwmon_temp_celsius"}, {"chip", "hwmon0"}, {"sensor", "temp1"}}),
            42);
  EXPECT_TRUE(run.out.Series("node_hwmon_chip_names").empty());
}

TEST(SystemCollector, VmstatFieldsComeFromTheConfig) {
  SystemCollectorConfig config;
  config.procfs = SystemFixtureDir("v2") + "/proc";
  config.sysfs = SystemFixtureDir("v2") + "/sys";
  config.vmstat_fields = "^nr_dirty$";
  CollectRun run;
  CollectWith(config, run);
  ASSERT_TRUE(run.status.ok());
  EXPECT_EQ(run.out.Value(Labels{{"__name__", "node_vmstat_nr_dirty"}}), 25047);
  EXPECT_TRUE(run.out.Series("node_vmstat_pgfault").empty());
}

TEST(SystemCollector, ExclusionsAreUnanchoredLikeNodeExporter) {
  CollectRun run;
  Collect("v1_hybrid", run);
  // "^/(dev|proc|run/credentials/.+|sys|...)($|/)" must exclude /dev/shm and
  // /run/credentials/tocsin.service but not /run; "loop0" and partitions ("vda1") are excluded.
  for (const auto& s : run.out.Series("node_filesystem_device_error")) {
    std::string_view mp = s.labels.Get("mountpoint");
    EXPECT_FALSE(mp.starts_with("/dev") || mp.starts_with("/sys") || mp.starts_with("/proc") ||
                 mp.starts_with("/run/credentials") || mp.starts_with("/var/lib/docker"))
        << mp;
  }
  EXPECT_TRUE(run.out.Value(Labels{{"__name__", "node_filesystem_size_bytes"},
                                   {"device", "tmpfs"},
                                   {"fstype", "tmpfs"},
                                   {"mountpoint", "/run"}}));
  for (const auto& s : run.out.Series("node_disk_io_now")) {
    EXPECT_NE(s.labels.Get("device"), "loop0");
    EXPECT_NE(s.labels.Get("device"), "vda1");
  }
}

TEST(SystemCollector, ExclusionsComeFromTheConfig) {
  SystemCollectorConfig config;
  config.procfs = SystemFixtureDir("v1_hybrid") + "/proc";
  config.sysfs = SystemFixtureDir("v1_hybrid") + "/sys";
  config.netdev_exclude = "^(lo|ifb\\d+)$";
  config.diskstats_exclude = "^zram";
  config.fs_types_exclude = "^(tmpfs|xfs)$";
  config.mount_points_exclude = "^/var/lib/postgresql$";
  CollectRun run;
  CollectWith(config, run);
  ASSERT_TRUE(run.status.ok());
  std::set<std::string> devices, disks, mounts;
  for (const auto& s : run.out.Series("node_network_receive_bytes_total")) {
    devices.insert(std::string(s.labels.Get("device")));
  }
  for (const auto& s : run.out.Series("node_disk_io_now")) {
    disks.insert(std::string(s.labels.Get("device")));
  }
  for (const auto& s : run.out.Series("node_filesystem_device_error")) {
    mounts.insert(std::string(s.labels.Get("mountpoint")));
  }
  EXPECT_EQ(devices, (std::set<std::string>{"eth0"}));
  EXPECT_EQ(disks, (std::set<std::string>{"loop0", "vda", "vda1"}));
  // /dev/... mounts are back (only the configured mount point is excluded), tmpfs/xfs are not.
  EXPECT_TRUE(mounts.count("/") == 1 && mounts.count("/mnt/nfs") == 1 &&
              mounts.count("/dev/pts") == 1);
  EXPECT_EQ(mounts.count("/run"), 0u);
  EXPECT_EQ(mounts.count("/srv/backup copies"), 0u);
  EXPECT_EQ(mounts.count("/var/lib/postgresql"), 0u);
}

// Writes `mounts` as <dir>/proc/1/mounts and returns <dir>.
std::string TempMounts(const std::string& name, const std::string& mounts) {
  std::string dir = ::testing::TempDir() + "/tocsin-system-" + name;
  std::filesystem::create_directories(dir + "/proc/1");
  std::ofstream(dir + "/proc/1/mounts") << mounts;
  return dir;
}

TEST(SystemCollector, RootfsIsJoinedForStatfsAndStrippedFromLabels) {
  std::string dir = TempMounts("rootfs",
                               "/dev/vda /host ext4 rw 0 0\n"
                               "/dev/vdb /host/data xfs ro 0 0\n"
                               "/dev/vdc /elsewhere ext4 rw 0 0\n");
  SystemCollectorConfig config;
  config.procfs = dir + "/proc";
  config.sysfs = dir + "/sys";
  config.rootfs = "/host";
  SystemCollectorOptions options;
  options.statfs = std::make_shared<FakeStatFs>(std::map<std::string, system::FsStats>{
      {"/host", Fs(1024, 10, 5, 4, 100, 50)},
      {"/host/data", Fs(4096, 10, 5, 4, 100, 50)},
      {"/host/elsewhere", Fs(512, 10, 5, 4, 100, 50)},
  });
  CollectRun run;
  CollectWith(config, run, options);
  ASSERT_TRUE(run.status.ok());
  auto size = [&](const char* dev, const char* type, const char* mp) {
    return run.out.Value(Labels{{"__name__", "node_filesystem_size_bytes"},
                                {"device", dev},
                                {"fstype", type},
                                {"mountpoint", mp}});
  };
  EXPECT_EQ(size("/dev/vda", "ext4", "/"), 10240);
  EXPECT_EQ(size("/dev/vdb", "xfs", "/data"), 40960);
  EXPECT_EQ(size("/dev/vdc", "ext4", "/elsewhere"), 5120);
  EXPECT_EQ(run.out.Value(Labels{{"__name__", "node_filesystem_readonly"},
                                 {"device", "/dev/vdb"},
                                 {"fstype", "xfs"},
                                 {"mountpoint", "/data"}}),
            1);
}

// A StatFs whose calls block until released.
class BlockingStatFs final : public system::StatFs {
 public:
  Result<system::FsStats> Stat(const std::string&) override {
    std::unique_lock<std::mutex> lock(mu_);
    ++calls_;
    cv_.wait(lock, [this] { return released_; });
    return Fs(4096, 1, 1, 1, 1, 1);
  }
  void Release() {
    std::lock_guard<std::mutex> lock(mu_);
    released_ = true;
    cv_.notify_all();
  }
  int calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool released_ = false;
  int calls_ = 0;
};

TEST(SystemCollector, HangingStatfsReportsDeviceErrorAndDoesNotBlock) {
  std::string dir = TempMounts("hang", "server:/export /mnt/nfs nfs4 rw 0 0\n");
  SystemCollectorConfig config;
  config.procfs = dir + "/proc";
  config.sysfs = dir + "/sys";
  auto blocking = std::make_shared<BlockingStatFs>();
  SystemCollectorOptions options;
  options.statfs = blocking;
  options.mount_timeout = std::chrono::milliseconds(20);
  Labels error{{"__name__", "node_filesystem_device_error"},
               {"device", "server:/export"},
               {"fstype", "nfs4"},
               {"mountpoint", "/mnt/nfs"}};
  CollectRun run;
  CollectWith(config, run, options);
  ASSERT_TRUE(run.status.ok());
  EXPECT_EQ(run.out.Value(error), 1);
  EXPECT_EQ(Success(run.out, "filesystem"), 1);
  EXPECT_TRUE(run.out.Series("node_filesystem_size_bytes").empty());
  blocking->Release();  // let the helper thread finish (it owns shared state, not the test's)
}

// The network parts' patterns (netstat_fields, netclass_exclude, arp_exclude/include).
TEST(SystemCollector, NetworkPatternsComeFromTheConfig) {
  SystemCollectorConfig config;
  config.procfs = SystemFixtureDir("v2") + "/proc";
  config.sysfs = SystemFixtureDir("v2") + "/sys";
  config.netstat_fields = "^Tcp_CurrEstab$";
  config.netclass_exclude = "^ifb";
  config.arp_include = "^(eth|cni)";
  config.arp_exclude = "^cni";
  SystemCollectorOptions options;
  options.page_size = 65536;
  CollectRun run;
  CollectWith(config, run, options);
  ASSERT_TRUE(run.status.ok());
  size_t netstat = 0;
  for (const auto& s : run.out.samples()) {
    if (s.labels.Get("__name__").starts_with("node_netstat_")) ++netstat;
  }
  EXPECT_EQ(netstat, 1u);
  EXPECT_TRUE(run.out.Value(Labels{{"__name__", "node_netstat_Tcp_CurrEstab"}}));
  std::set<std::string> devices, arp;
  for (const auto& s : run.out.Series("node_network_up")) {
    devices.insert(std::string(s.labels.Get("device")));
  }
  for (const auto& s : run.out.Series("node_arp_entries")) {
    arp.insert(std::string(s.labels.Get("device")));
  }
  EXPECT_EQ(devices, (std::set<std::string>{"eth0", "lo"}));
  EXPECT_EQ(arp, (std::set<std::string>{"eth0"}));
  EXPECT_EQ(run.out.Value(Labels{{"__name__", "node_sockstat_TCP_mem_bytes"}}), 12 * 65536);
}

TEST(SystemCollector, InvalidNetworkPatternIsAConfigError) {
  for (std::string SystemCollectorConfig::*key :
       {&SystemCollectorConfig::netstat_fields, &SystemCollectorConfig::netclass_exclude,
        &SystemCollectorConfig::arp_exclude, &SystemCollectorConfig::arp_include}) {
    SystemCollectorConfig config;
    config.*key = "(unclosed";
    auto c = MakeSystemCollector(config);
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(c.status().message().find("collectors.system."), std::string::npos)
        << c.status().message();
  }
}

// As node_exporter 1.5: entries and limit are exported when only /proc/net/stat/nf_conntrack
// is missing (a kernel without CONFIG_NF_CONNTRACK_PROCFS), and the part reports failure.
TEST(SystemCollector, ConntrackKeepsCountAndMaxWithoutStatisticsFile) {
  std::string dir = ::testing::TempDir() + "/tocsin-system-conntrack";
  std::filesystem::create_directories(dir + "/proc/sys/net/netfilter");
  std::ofstream(dir + "/proc/sys/net/netfilter/nf_conntrack_count") << "17\n";
  std::ofstream(dir + "/proc/sys/net/netfilter/nf_conntrack_max") << "65536\n";
  SystemCollectorConfig config;
  config.procfs = dir + "/proc";
  config.sysfs = dir + "/sys";
  CollectRun run;
  CollectWith(config, run);
  ASSERT_TRUE(run.status.ok());
  EXPECT_EQ(Success(run.out, "conntrack"), 0);
  EXPECT_EQ(run.out.Value(Labels{{"__name__", "node_nf_conntrack_entries"}}), 17);
  EXPECT_EQ(run.out.Value(Labels{{"__name__", "node_nf_conntrack_entries_limit"}}), 65536);
  EXPECT_TRUE(run.out.Series("node_nf_conntrack_stat_found").empty());
  ExpectWellFormed(run.out);
}

}  // namespace
}  // namespace tocsin
