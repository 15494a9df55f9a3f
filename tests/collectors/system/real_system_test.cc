// The system collector against this machine's real /proc and /sys: the essential families are
// present and their values are sane.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <sstream>
#include <string>

#include "collectors/system/cgroup_memory.h"
#include "collectors/system/system_collector.h"
#include "tests/fakes/recording_appender.h"

namespace tocsin {
namespace {

using testing::RecordingAppender;

double Get(const RecordingAppender& out, std::initializer_list<Label> labels) {
  auto v = out.Value(Labels(labels));
  EXPECT_TRUE(v.has_value()) << Labels(labels).ToString();
  return v.value_or(-1);
}

TEST(SystemCollectorRealHost, EssentialFamiliesAreSane) {
  SystemCollectorConfig config;  // /proc, /sys, / and the default exclusions
  auto c = MakeSystemCollector(config);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  RecordingAppender out;
  CollectContext ctx;
  ctx.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  ASSERT_TRUE((*c)->Collect(ctx, out).ok());
  EXPECT_TRUE(out.NamesWithoutMetadata().empty());
  EXPECT_TRUE(out.DuplicateSeries().empty()) << ::testing::PrintToString(out.DuplicateSeries());

  for (const char* part :
       {"cpu", "stat", "meminfo", "loadavg", "diskstats", "netdev", "filesystem", "cgroup"}) {
    EXPECT_EQ(Get(out, {{"__name__", "node_scrape_collector_success"}, {"collector", part}}), 1)
        << part;
  }
  // cpu: one idle series per online CPU, monotone-plausible values.
  long cpus = ::sysconf(_SC_NPROCESSORS_ONLN);
  size_t idle = 0;
  for (const auto& s : out.Series("node_cpu_seconds_total")) {
    EXPECT_GE(s.value, 0);
    if (s.labels.Get("mode") == "idle") ++idle;
  }
  EXPECT_EQ(idle, static_cast<size_t>(cpus));
  double boot = Get(out, {{"__name__", "node_boot_time_seconds"}});
  EXPECT_GT(boot, 1e9);
  EXPECT_LT(boot, static_cast<double>(std::time(nullptr)));
  EXPECT_GE(Get(out, {{"__name__", "node_procs_running"}}), 1);  // this test is running

  double total = Get(out, {{"__name__", "node_memory_MemTotal_bytes"}});
  double avail = Get(out, {{"__name__", "node_memory_MemAvailable_bytes"}});
  EXPECT_GT(total, 64.0 * 1024 * 1024);
  EXPECT_GT(avail, 0);
  EXPECT_LE(avail, total);
  EXPECT_GE(Get(out, {{"__name__", "node_load1"}}), 0);

  // The root filesystem is there with a size, and avail <= free <= size.
  bool root_seen = false;
  for (const auto& s : out.Series("node_filesystem_size_bytes")) {
    if (s.labels.Get("mountpoint") != "/") continue;
    root_seen = true;
    Labels free_l = LabelsBuilder(s.labels).Set("__name__", "node_filesystem_free_bytes").Build();
    Labels avail_l = LabelsBuilder(s.labels).Set("__name__", "node_filesystem_avail_bytes").Build();
    EXPECT_GT(s.value, 0);
    EXPECT_LE(out.Value(free_l).value_or(-1), s.value);
    EXPECT_LE(out.Value(avail_l).value_or(-1), out.Value(free_l).value_or(-1));
  }
  EXPECT_TRUE(root_seen);
  EXPECT_FALSE(out.Series("node_network_receive_bytes_total").empty());
  EXPECT_TRUE(
      out.Value(Labels{{"__name__", "node_network_receive_bytes_total"}, {"device", "lo"}}));

  // cgroup memory: the root and our own cgroup.
  double root_usage = Get(out, {{"__name__", "container_memory_usage_bytes"}, {"id", "/"}});
  EXPECT_GT(root_usage, 0);
  std::ifstream in("/proc/self/cgroup");
  std::stringstream ss;
  ss << in.rdbuf();
  bool v1 = std::ifstream("/sys/fs/cgroup/memory/memory.usage_in_bytes").good();
  auto own = system::OwnCgroupPath(ss.str(), v1);
  ASSERT_TRUE(own.has_value());
  double own_usage = Get(out, {{"__name__", "container_memory_usage_bytes"}, {"id", *own}});
  EXPECT_GT(own_usage, 0);
  EXPECT_LE(Get(out, {{"__name__", "container_memory_working_set_bytes"}, {"id", *own}}),
            own_usage);
  // Every exported limit is a real one (unlimited cgroups export none).
  for (const auto& s : out.Series("container_spec_memory_limit_bytes")) {
    EXPECT_GT(s.value, 0);
    EXPECT_LT(s.value, 4.6e18) << s.labels.ToString();
  }
  if (std::ifstream("/proc/pressure/cpu").good()) {
    EXPECT_GE(Get(out, {{"__name__", "node_pressure_cpu_waiting_seconds_total"}}), 0);
  }
}

TEST(SystemCollectorRealHost, KernelTimeAndHostInfoParts) {
  SystemCollectorConfig config;
  auto c = MakeSystemCollector(config);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  RecordingAppender out;
  CollectContext ctx;
  ctx.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  ASSERT_TRUE((*c)->Collect(ctx, out).ok());
  // adjtimex(2) read-only needs no privilege; os-release and file-nr exist on any Linux host.
  for (const char* part :
       {"uname", "vmstat", "timex", "time", "filefd", "entropy", "os", "selinux"}) {
    EXPECT_EQ(Get(out, {{"__name__", "node_scrape_collector_success"}, {"collector", part}}), 1)
        << part;
  }
  auto uname = out.Series("node_uname_info");
  ASSERT_EQ(uname.size(), 1u);
  EXPECT_EQ(uname[0].labels.Get("sysname"), "Linux");
  double now = Get(out, {{"__name__", "node_time_seconds"}});
  EXPECT_NEAR(now, static_cast<double>(std::time(nullptr)), 5);
  EXPECT_GT(Get(out, {{"__name__", "node_timex_tick_seconds"}}), 0);
  EXPECT_GT(Get(out, {{"__name__", "node_filefd_maximum"}}), 0);
  EXPECT_FALSE(out.Series("node_os_info").empty());
  EXPECT_FALSE(out.Series("node_vmstat_pgfault").empty());
}

}  // namespace
}  // namespace tocsin
