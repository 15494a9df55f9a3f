// Unit tests of the system collector's parsers, including malformed and truncated input.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "collectors/system/cgroup_memory.h"
#include "collectors/system/cpu_stat.h"
#include "collectors/system/diskstats.h"
#include "collectors/system/filesystem.h"
#include "collectors/system/loadavg.h"
#include "collectors/system/meminfo.h"
#include "collectors/system/netdev.h"
#include "collectors/system/pressure.h"
#include "collectors/system/proc_file.h"
#include "tests/collectors/system/golden.h"
#include "tests/fakes/recording_appender.h"

namespace tocsin::system {
namespace {

using tocsin::testing::FormatPromValue;
using tocsin::testing::RecordingAppender;

std::string Render(SampleSink& sink) {
  RecordingAppender out;
  EXPECT_TRUE(sink.FlushTo(out).ok());
  return out.Render();
}

Regex Unanchored(const std::string& re) {
  return std::move(Regex::Compile(re, Regex::Anchoring::kNone)).value();
}

TEST(SystemFormatPromValue, MatchesGoFormatFloatG) {
  EXPECT_EQ(FormatPromValue(0), "0");
  EXPECT_EQ(FormatPromValue(309491), "309491");
  EXPECT_EQ(FormatPromValue(1234567), "1.234567e+06");
  EXPECT_EQ(FormatPromValue(1.795445283e9), "1.795445283e+09");
  EXPECT_EQ(FormatPromValue(417.48), "417.48");
  EXPECT_EQ(FormatPromValue(0.0001), "0.0001");
  EXPECT_EQ(FormatPromValue(0.00001), "1e-05");
  EXPECT_EQ(FormatPromValue(-2.5), "-2.5");
  EXPECT_EQ(FormatPromValue(1e21), "1e+21");
  EXPECT_EQ(FormatPromValue(std::numeric_limits<double>::infinity()), "+Inf");
}

TEST(SystemProcFileTest, ReadsFilesLargerThanTheInitialBufferAndReportsMissing) {
  std::string path = ::testing::TempDir() + "/tocsin-procfile-big";
  std::string content(100000, 'x');
  std::ofstream(path) << content;
  ProcFile f;
  auto r = f.Read(path);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, content);
  auto missing = f.Read(path + "-missing");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(JoinPath("/proc/", "/stat"), "/proc/stat");
  EXPECT_EQ(JoinPath("/", "stat"), "/stat");
  EXPECT_EQ(JoinPath("/host", "/"), "/host");
}

TEST(SystemParseCpuStatTest, OldKernelWithFourColumns) {
  SampleSink sink;
  ASSERT_TRUE(ParseCpuStat("cpu 1 2 3 4\ncpu0 100 200 300 400\n", 100, sink).ok());
  EXPECT_EQ(Render(sink),
            "# HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.\n"
            "# TYPE node_cpu_seconds_total counter\n"
            "node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"} 4\n"
            "node_cpu_seconds_total{cpu=\"0\",mode=\"nice\"} 2\n"
            "node_cpu_seconds_total{cpu=\"0\",mode=\"system\"} 3\n"
            "node_cpu_seconds_total{cpu=\"0\",mode=\"user\"} 1\n");
}

TEST(SystemParseCpuStatTest, RejectsJunk) {
  SampleSink sink;
  EXPECT_FALSE(ParseCpuStat("cpu0 1 2\n", 100, sink).ok());
  EXPECT_FALSE(ParseCpuStat("cpu0 1 2 3 -4\n", 100, sink).ok());
  EXPECT_FALSE(ParseCpuStat("cpuX 1 2 3 4\n", 100, sink).ok());
  EXPECT_FALSE(ParseCpuStat("intr 1\n", 100, sink).ok());
  EXPECT_FALSE(ParseCpuStat("cpu0 1 2 3 4\n", 0, sink).ok());
}

TEST(SystemParseKernelStatTest, RequiresEveryLineOnce) {
  SampleSink sink;
  EXPECT_FALSE(ParseKernelStat("ctxt 1\n", sink).ok());
  EXPECT_FALSE(ParseKernelStat("btime 1\nbtime 2\nctxt 1\nintr 1\nprocesses 1\n"
                               "procs_running 1\nprocs_blocked 0\n",
                               sink)
                   .ok());
  EXPECT_FALSE(ParseKernelStat("btime\nctxt 1\nintr 1\nprocesses 1\nprocs_running 1\n"
                               "procs_blocked 0\n",
                               sink)
                   .ok());
}

TEST(SystemParseMeminfoTest, NamesAndUnits) {
  SampleSink sink;
  ASSERT_TRUE(
      ParseMeminfo("MemTotal:  2 kB\nActive(file): 1 kB\nHugePages_Total:  3\n\n", sink).ok());
  EXPECT_EQ(Render(sink),
            "# HELP node_memory_Active_file_bytes Memory information field Active_file_bytes.\n"
            "# TYPE node_memory_Active_file_bytes gauge\n"
            "node_memory_Active_file_bytes 1024\n"
            "# HELP node_memory_HugePages_Total Memory information field HugePages_Total.\n"
            "# TYPE node_memory_HugePages_Total gauge\n"
            "node_memory_HugePages_Total 3\n"
            "# HELP node_memory_MemTotal_bytes Memory information field MemTotal_bytes.\n"
            "# TYPE node_memory_MemTotal_bytes gauge\n"
            "node_memory_MemTotal_bytes 2048\n");
  SampleSink bad;
  EXPECT_FALSE(ParseMeminfo("MemTotal: 2 MB\n", bad).ok());
  EXPECT_FALSE(ParseMeminfo("MemTotal 2 kB\n", bad).ok());
  EXPECT_FALSE(ParseMeminfo("Mem-Total: 2 kB\n", bad).ok());
  EXPECT_FALSE(ParseMeminfo("", bad).ok());
  EXPECT_EQ(MeminfoField("A: 1\nMemFree: 3 kB\n", "MemFree"), 3072);
  EXPECT_FALSE(MeminfoField("A: 1\n", "MemFree"));
}

TEST(SystemParseLoadavgTest, ValuesAndJunk) {
  SampleSink sink;
  ASSERT_TRUE(ParseLoadavg("0.05 0.11 1.5 2/88 7242\n", sink).ok());
  EXPECT_NE(Render(sink).find("node_load15 1.5\n"), std::string::npos);
  SampleSink bad;
  EXPECT_FALSE(ParseLoadavg("0.05 nan 1\n", bad).ok());
  EXPECT_FALSE(ParseLoadavg("", bad).ok());
}

TEST(SystemParseDiskstatsTest, FourteenColumnKernelsGetNoDiscardOrFlushSeries) {
  SampleSink sink;
  ASSERT_TRUE(
      ParseDiskstats("   8 0 sda 1 2 3 4000 5 6 7 8 9 10000 11000\n", Unanchored("^$"), sink).ok());
  RecordingAppender out;
  ASSERT_TRUE(sink.FlushTo(out).ok());
  EXPECT_EQ(out.samples().size(), 11u);
  EXPECT_EQ(out.Value(Labels{{"__name__", "node_disk_read_bytes_total"}, {"device", "sda"}}), 1536);
  EXPECT_EQ(out.Value(Labels{{"__name__", "node_disk_read_time_seconds_total"}, {"device", "sda"}}),
            4);
  EXPECT_TRUE(out.Series("node_disk_discards_completed_total").empty());
  SampleSink bad;
  EXPECT_FALSE(ParseDiskstats("8 0 sda 1 2 3\n", Unanchored("^$"), bad).ok());
  EXPECT_FALSE(ParseDiskstats("x 0 sda 1 2 3 4 5 6 7 8 9 10 11\n", Unanchored("^$"), bad).ok());
}

TEST(SystemParseNetDevTest, ColumnCountIsChecked) {
  std::string header =
      "Inter-|   Receive                                                |  Transmit\n"
      " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs "
      "drop fifo colls carrier compressed\n";
  SampleSink sink;
  ASSERT_TRUE(
      ParseNetDev(header + "eth0:1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n", Unanchored("^$"), sink)
          .ok());
  EXPECT_NE(Render(sink).find("node_network_transmit_compressed_total{device=\"eth0\"} 16\n"),
            std::string::npos);
  SampleSink bad;
  EXPECT_FALSE(ParseNetDev(header + "eth0: 1 2 3\n", Unanchored("^$"), bad).ok());
  EXPECT_FALSE(ParseNetDev(header + "garbage\n", Unanchored("^$"), bad).ok());
}

// /proc/net/dev has no rx_nohandler; node_exporter 1.5 (netlink) exports it, so the parser asks
// for it per device and leaves it out where the lookup has none.
TEST(SystemParseNetDevTest, NoHandlerComesFromTheLookup) {
  std::string text =
      "Inter-|   Receive                                                |  Transmit\n"
      " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs "
      "drop fifo colls carrier compressed\n"
      "    lo: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n"
      "  eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n"
      "  tun0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n";
  std::vector<std::string> asked;
  auto lookup = [&asked](std::string_view dev) -> std::optional<uint64_t> {
    asked.emplace_back(dev);
    if (dev == "eth0") return 42;
    return std::nullopt;
  };
  SampleSink sink;
  ASSERT_TRUE(ParseNetDev(text, Unanchored("^lo$"), sink, lookup).ok());
  const std::string out = Render(sink);
  EXPECT_NE(out.find("node_network_receive_nohandler_total{device=\"eth0\"} 42\n"),
            std::string::npos)
      << out;
  EXPECT_EQ(out.find("node_network_receive_nohandler_total{device=\"tun0\""), std::string::npos);
  EXPECT_EQ(asked, (std::vector<std::string>{"eth0", "tun0"})) << "excluded devices are not read";
}

TEST(SystemParsePressureFileTest, SomeAndFull) {
  double some = 0, full = 0;
  ASSERT_TRUE(ParsePressureFile("some avg10=0.00 avg60=0.00 avg300=0.00 total=1500000\n"
                                "full avg10=0.00 avg60=0.00 avg300=0.00 total=2\n",
                                some, full)
                  .ok());
  EXPECT_EQ(some, 1.5);
  EXPECT_EQ(full, 0.000002);
  EXPECT_FALSE(ParsePressureFile("some avg10=0.00 total=x\n", some, full).ok());
  EXPECT_FALSE(ParsePressureFile("full total=1\n", some, full).ok());
}

TEST(SystemUnescapeMountFieldTest, OctalEscapes) {
  EXPECT_EQ(UnescapeMountField("/mnt/a\\040b\\011c\\134d"), "/mnt/a b\tc\\d");
  EXPECT_EQ(UnescapeMountField("/x\\04"), "/x\\04");
  EXPECT_EQ(UnescapeMountField("/x\\999"), "/x\\999");
  EXPECT_EQ(UnescapeMountField("\\"), "\\");
}

TEST(SystemOwnCgroupPathTest, V1AndV2) {
  std::string text = "9:name=systemd:/\n4:cpu,memory:/a/b\n0::/system.slice/x.service\n";
  EXPECT_EQ(OwnCgroupPath(text, true), "/a/b");
  EXPECT_EQ(OwnCgroupPath(text, false), "/system.slice/x.service");
  EXPECT_FALSE(OwnCgroupPath("garbage\n1:memory\n", true));
  EXPECT_EQ(OwnCgroupPath("0::/with:colon\n", false), "/with:colon");
}

// Every prefix and random byte flip of the fixture files must parse or fail cleanly (this
// runs under ASan/UBSan in the sanitizer build).
TEST(SystemParsersRobustness, TruncatedAndCorruptedFixtures) {
  std::string dir = tocsin::testing::SystemFixtureDir("v1_hybrid") + "/proc/";
  Regex none = Unanchored("^$");
  std::mt19937 rng(42);
  for (const char* name : {"stat", "meminfo", "loadavg", "diskstats", "net/dev", "pressure/io"}) {
    std::string original = tocsin::testing::ReadFileOrEmpty(dir + name);
    ASSERT_FALSE(original.empty()) << name;
    auto parse_all = [&](std::string_view text) {
      SampleSink sink;
      double a = 0, b = 0;
      (void)ParseCpuStat(text, 100, sink);
      (void)ParseKernelStat(text, sink);
      (void)ParseMeminfo(text, sink);
      (void)ParseLoadavg(text, sink);
      (void)ParseDiskstats(text, none, sink);
      (void)ParseNetDev(text, none, sink);
      (void)ParsePressureFile(text, a, b);
      (void)OwnCgroupPath(text, true);
      (void)MeminfoField(text, "MemTotal");
      (void)UnescapeMountField(text);
    };
    for (size_t len = 0; len <= original.size(); len += 7) parse_all(original.substr(0, len));
    for (int i = 0; i < 200; ++i) {
      std::string s = original;
      for (int k = 0; k < 4; ++k) {
        s[rng() % s.size()] = static_cast<char>(rng() % 256);
      }
      parse_all(s);
    }
  }
}

}  // namespace
}  // namespace tocsin::system
