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

// The statvfs answers for the mount points of the fixtures' mount tables.
std::shared_ptr<FakeStatFs> FixtureStatFs() {
  return std::make_shared<FakeStatFs>(std::map<std::string, system::FsStats>{
      {"/", Fs(4096, 66053998, 61798319, 20829594, 16777216, 16363559)},
      {"/var/lib/postgresql", Fs(4096, 26214400, 13107200, 11796480, 6553600, 6553000)},
      {"/srv/backup copies", Fs(4096, 1000, 10, 0, 64, 3)},
      {"/run", Fs(4096, 1234250, 1234000, 1234000, 3086000, 3085000)},
      // /mnt/nfs is absent: its statvfs fails (device_error 1).
  });
}

struct CollectRun {
  Status status;
  RecordingAppender out;
};

void CollectWith(SystemCollectorConfig config, CollectRun& run,
                 SystemCollectorOptions options = SystemCollectorOptions{}) {
  config.enabled = true;
  static FakeClock clock(1'700'000'000'000);
  if (!options.statfs) options.statfs = FixtureStatFs();
  options.clock = &clock;
  options.user_hz = 100;
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
  config.rootfs = "/";
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
  // A part that failed halfway leaves nothing behind (cpu0 parsed before cpu1 failed).
  EXPECT_TRUE(run.out.Series("node_cpu_seconds_total").empty());
  EXPECT_TRUE(run.out.Series("node_memory_MemTotal_bytes").empty());
  EXPECT_TRUE(run.out.Series("node_disk_reads_completed_total").empty());
}

TEST(SystemCollector, MissingRootsFailEveryPartButNotTheCollection) {
  SystemCollectorConfig config;
  config.procfs = ::testing::TempDir() + "/tocsin-no-such-proc";
  config.sysfs = ::testing::TempDir() + "/tocsin-no-such-sys";
  CollectRun run;
  CollectWith(config, run);
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  for (const char* part :
       {"cpu", "stat", "meminfo", "loadavg", "diskstats", "netdev", "cgroup", "filesystem"}) {
    EXPECT_EQ(Success(run.out, part), 0) << part;
  }
  EXPECT_EQ(Success(run.out, "pressure"), 1);
  EXPECT_EQ(run.out.samples().size(), 18u);  // only success and duration for the 9 parts
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

}  // namespace
}  // namespace tocsin
