// Unit tests of the kernel, time and host-information parts of the system collector (uname,
// vmstat, timex, time, filefd, entropy, os, selinux), including malformed input.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>

#include "collectors/system/entropy.h"
#include "collectors/system/filefd.h"
#include "collectors/system/os_release.h"
#include "collectors/system/proc_file.h"
#include "collectors/system/selinux.h"
#include "collectors/system/system_time.h"
#include "collectors/system/timex.h"
#include "collectors/system/uname.h"
#include "collectors/system/vmstat.h"
#include "tests/fakes/recording_appender.h"

namespace tocsin::system {
namespace {

using tocsin::testing::RecordingAppender;

std::string Render(SampleSink& sink) {
  RecordingAppender out;
  EXPECT_TRUE(sink.FlushTo(out).ok());
  return out.Render();
}

Regex DefaultVmstatFields() {
  return std::move(Regex::Compile("^(oom_kill|pgpg|pswp|pg.*fault).*", Regex::Anchoring::kNone))
      .value();
}

// A scratch directory tree under the test temp dir, emptied first.
class TempTree {
 public:
  explicit TempTree(const std::string& name)
      : root_(::testing::TempDir() + "/tocsin-kernel-" + name) {
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_);
  }
  void Write(const std::string& rel, const std::string& content) const {
    std::filesystem::path p = root_ + "/" + rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
  }
  const std::string& root() const { return root_; }

 private:
  std::string root_;
};

TEST(SystemUnameTest, AllSixLabels) {
  SampleSink sink;
  ASSERT_TRUE(WriteUname({"Linux", "6.18.44-fc-v1300", "#1 SMP PREEMPT_DYNAMIC @0", "x86_64", "vm",
                          "(none)"},
                         sink)
                  .ok());
  EXPECT_EQ(Render(sink),
            "# HELP node_uname_info Labeled system information as provided by the uname system "
            "call.\n"
            "# TYPE node_uname_info gauge\n"
            "node_uname_info{domainname=\"(none)\",machine=\"x86_64\",nodename=\"vm\","
            "release=\"6.18.44-fc-v1300\",sysname=\"Linux\",version=\"#1 SMP PREEMPT_DYNAMIC "
            "@0\"} 1\n");
}

TEST(SystemUnameTest, RealSyscallAnswers) {
  Result<UnameInfo> u = RealUname();
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->sysname, "Linux");
  EXPECT_FALSE(u->release.empty());
  EXPECT_FALSE(u->machine.empty());
}

TEST(SystemVmstatTest, DefaultFieldsAreExportedUntyped) {
  SampleSink sink;
  ASSERT_TRUE(ParseVmstat("nr_free_pages 955386\n"
                          "pgpgin 2388909\n"
                          "pswpout 0\n"
                          "pgfault 41962758\n"
                          "pgmajfault 2133\n"
                          "thp_fault_alloc 8\n"
                          "oom_kill 3\n"
                          "\n",
                          DefaultVmstatFields(), sink)
                  .ok());
  EXPECT_EQ(Render(sink),
            "# HELP node_vmstat_oom_kill /proc/vmstat information field oom_kill.\n"
            "# TYPE node_vmstat_oom_kill untyped\n"
            "node_vmstat_oom_kill 3\n"
            "# HELP node_vmstat_pgfault /proc/vmstat information field pgfault.\n"
            "# TYPE node_vmstat_pgfault untyped\n"
            "node_vmstat_pgfault 4.1962758e+07\n"
            "# HELP node_vmstat_pgmajfault /proc/vmstat information field pgmajfault.\n"
            "# TYPE node_vmstat_pgmajfault untyped\n"
            "node_vmstat_pgmajfault 2133\n"
            "# HELP node_vmstat_pgpgin /proc/vmstat information field pgpgin.\n"
            "# TYPE node_vmstat_pgpgin untyped\n"
            "node_vmstat_pgpgin 2.388909e+06\n"
            "# HELP node_vmstat_pswpout /proc/vmstat information field pswpout.\n"
            "# TYPE node_vmstat_pswpout untyped\n"
            "node_vmstat_pswpout 0\n");
}

TEST(SystemVmstatTest, EveryLineMustParseEvenWhenNotExported) {
  SampleSink sink;
  Regex fields = DefaultVmstatFields();
  EXPECT_FALSE(ParseVmstat("nr_free_pages x\npgpgin 1\n", fields, sink).ok());
  EXPECT_FALSE(ParseVmstat("pgpgin\n", fields, sink).ok());
  EXPECT_FALSE(ParseVmstat("pgpgin 12k\n", fields, sink).ok());
  EXPECT_FALSE(ParseVmstat("pgpg-in 1\n", fields, sink).ok());  // not a metric name
  EXPECT_TRUE(ParseVmstat("", fields, sink).ok());
}

TEST(SystemTimexTest, UnsynchronisedMicrosecondClockAsOnThisHost) {
  TimexInfo t;
  t.state = 5;      // TIME_ERROR
  t.status = 64;    // STA_UNSYNC, microseconds
  t.offset = 1500;  // µs
  t.maxerror = 16000000;
  t.esterror = 16000000;
  t.constant = 2;
  t.tick = 10000;
  t.jitter = 250;  // µs
  t.shift = 2;
  SampleSink sink;
  ASSERT_TRUE(WriteTimex(t, sink).ok());
  RecordingAppender out;
  ASSERT_TRUE(sink.FlushTo(out).ok());
  auto v = [&](const char* name) { return out.Value(Labels{{"__name__", name}}).value_or(-1); };
  EXPECT_EQ(v("node_timex_sync_status"), 0);
  EXPECT_EQ(v("node_timex_offset_seconds"), 0.0015);
  EXPECT_EQ(v("node_timex_pps_jitter_seconds"), 0.00025);
  EXPECT_EQ(v("node_timex_maxerror_seconds"), 16);
  EXPECT_EQ(v("node_timex_estimated_error_seconds"), 16);
  EXPECT_EQ(v("node_timex_tick_seconds"), 0.01);
  EXPECT_EQ(v("node_timex_frequency_adjustment_ratio"), 1);
  EXPECT_EQ(v("node_timex_status"), 64);
  EXPECT_EQ(v("node_timex_loop_time_constant"), 2);
  EXPECT_EQ(v("node_timex_pps_shift_seconds"), 2);
  EXPECT_EQ(out.samples().size(), 17u);
  EXPECT_EQ(out.metadata().at("node_timex_pps_jitter").type, MetricType::kCounter);
}

TEST(SystemTimexTest, NanosecondClockAndScaledPpm) {
  TimexInfo t;
  t.state = 0;        // TIME_OK
  t.status = 0x2001;  // STA_PLL | STA_NANO
  t.offset = -45678;  // ns
  t.jitter = 1000;    // ns
  t.freq = -1216963;  // 2^-16 ppm
  t.ppsfreq = 65536;  // 1 ppm
  t.stabil = 131072;  // 2 ppm
  t.tai = 37;
  t.calcnt = 4;
  SampleSink sink;
  ASSERT_TRUE(WriteTimex(t, sink).ok());
  RecordingAppender out;
  ASSERT_TRUE(sink.FlushTo(out).ok());
  auto v = [&](const char* name) { return out.Value(Labels{{"__name__", name}}).value_or(-1); };
  EXPECT_EQ(v("node_timex_sync_status"), 1);
  EXPECT_DOUBLE_EQ(v("node_timex_offset_seconds"), -45678 / 1e9);
  EXPECT_DOUBLE_EQ(v("node_timex_pps_jitter_seconds"), 1e-6);
  EXPECT_DOUBLE_EQ(v("node_timex_frequency_adjustment_ratio"), 1 + -1216963 / (1e6 * 65536));
  EXPECT_DOUBLE_EQ(v("node_timex_pps_frequency_hertz"), 1e-6);
  EXPECT_DOUBLE_EQ(v("node_timex_pps_stability_hertz"), 2e-6);
  EXPECT_EQ(v("node_timex_tai_offset_seconds"), 37);
  EXPECT_EQ(v("node_timex_pps_calibration_total"), 4);
}

TEST(SystemTimexTest, RealSyscallAnswers) {
  Result<TimexInfo> t = RealAdjtimex();
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_GT(t->tick, 0);
}

TEST(SystemTimeTest, ClocksourcesAreNumberedInSortedGlobOrder) {
  TempTree sys("time");
  const std::string dir = "devices/system/clocksource/";
  for (const char* cs : {"clocksource0", "clocksource1", "clocksource10", "clocksource2"}) {
    sys.Write(dir + cs + "/available_clocksource", std::string(cs).substr(11) + "a tsc \n");
    sys.Write(dir + cs + "/current_clocksource", "tsc\n");
  }
  sys.Write(dir + "clocksourceX/current_clocksource", "ignored\n");  // not clocksource[0-9]*
  sys.Write(dir + "clocksource/current_clocksource", "ignored\n");
  SampleSink sink;
  ProcFile file;
  ASSERT_TRUE(ReadTime({1'700'000'000, 123'456'789, "CET", 3600}, sys.root(), file, sink).ok());
  EXPECT_EQ(Render(sink),
            "# HELP node_time_clocksource_available_info Available clocksources read from "
            "'/sys/devices/system/clocksource'.\n"
            "# TYPE node_time_clocksource_available_info gauge\n"
            "node_time_clocksource_available_info{clocksource=\"0a\",device=\"0\"} 1\n"
            "node_time_clocksource_available_info{clocksource=\"10a\",device=\"2\"} 1\n"
            "node_time_clocksource_available_info{clocksource=\"1a\",device=\"1\"} 1\n"
            "node_time_clocksource_available_info{clocksource=\"2a\",device=\"3\"} 1\n"
            "node_time_clocksource_available_info{clocksource=\"tsc\",device=\"0\"} 1\n"
            "node_time_clocksource_available_info{clocksource=\"tsc\",device=\"1\"} 1\n"
            "node_time_clocksource_available_info{clocksource=\"tsc\",device=\"2\"} 1\n"
            "node_time_clocksource_available_info{clocksource=\"tsc\",device=\"3\"} 1\n"
            "# HELP node_time_clocksource_current_info Current clocksource read from "
            "'/sys/devices/system/clocksource'.\n"
            "# TYPE node_time_clocksource_current_info gauge\n"
            "node_time_clocksource_current_info{clocksource=\"tsc\",device=\"0\"} 1\n"
            "node_time_clocksource_current_info{clocksource=\"tsc\",device=\"1\"} 1\n"
            "node_time_clocksource_current_info{clocksource=\"tsc\",device=\"2\"} 1\n"
            "node_time_clocksource_current_info{clocksource=\"tsc\",device=\"3\"} 1\n"
            "# HELP node_time_seconds System time in seconds since epoch (1970).\n"
            "# TYPE node_time_seconds gauge\n"
            "node_time_seconds 1.7000000001234567e+09\n"
            "# HELP node_time_zone_offset_seconds System time zone offset in seconds.\n"
            "# TYPE node_time_zone_offset_seconds gauge\n"
            "node_time_zone_offset_seconds{time_zone=\"CET\"} 3600\n");
}

TEST(SystemTimeTest, NoClocksourceDirectoryIsNotAnErrorButAMissingFileIs) {
  TempTree sys("time-missing");
  SampleSink sink;
  ProcFile file;
  ASSERT_TRUE(ReadTime({1, 0, "UTC", 0}, sys.root(), file, sink).ok());
  EXPECT_EQ(sink.sample_count(), 2u);
  sys.Write("devices/system/clocksource/clocksource0/available_clocksource", "tsc\n");
  sink.Clear();
  EXPECT_FALSE(ReadTime({1, 0, "UTC", 0}, sys.root(), file, sink).ok());
}

TEST(SystemTimeTest, RealWallTimeIsNow) {
  Result<WallTimeInfo> now = RealWallTime();
  ASSERT_TRUE(now.ok());
  EXPECT_NEAR(static_cast<double>(now->seconds), static_cast<double>(std::time(nullptr)), 5);
  EXPECT_FALSE(now->zone.empty());
}

TEST(SystemFileNrTest, AllocatedAndMaximum) {
  SampleSink sink;
  ASSERT_TRUE(ParseFileNr("1098\t0\t2466239\n", sink).ok());
  EXPECT_EQ(Render(sink),
            "# HELP node_filefd_allocated File descriptor statistics: allocated.\n"
            "# TYPE node_filefd_allocated gauge\n"
            "node_filefd_allocated 1098\n"
            "# HELP node_filefd_maximum File descriptor statistics: maximum.\n"
            "# TYPE node_filefd_maximum gauge\n"
            "node_filefd_maximum 2.466239e+06\n");
  sink.Clear();
  EXPECT_TRUE(ParseFileNr("1\t0\t2\t9\n", sink).ok());  // extra fields are ignored
  EXPECT_FALSE(ParseFileNr("1098 0 2466239\n", sink).ok());
  EXPECT_FALSE(ParseFileNr("1098\t0\n", sink).ok());
  EXPECT_FALSE(ParseFileNr("1098\t0\tlots\n", sink).ok());
  EXPECT_FALSE(ParseFileNr("", sink).ok());
}

TEST(SystemEntropyTest, OptionalFilesAndErrors) {
  TempTree proc("entropy");
  ProcFile file;
  SampleSink sink;
  EXPECT_EQ(ReadEntropy(proc.root(), file, sink).code(), StatusCode::kNotFound);
  proc.Write("sys/kernel/random/entropy_avail", "256\n");
  EXPECT_FALSE(ReadEntropy(proc.root(), file, sink).ok());  // no poolsize
  proc.Write("sys/kernel/random/poolsize", "256\n");
  sink.Clear();
  ASSERT_TRUE(ReadEntropy(proc.root(), file, sink).ok());
  EXPECT_EQ(Render(sink),
            "# HELP node_entropy_available_bits Bits of available entropy.\n"
            "# TYPE node_entropy_available_bits gauge\n"
            "node_entropy_available_bits 256\n"
            "# HELP node_entropy_pool_size_bits Bits of entropy pool.\n"
            "# TYPE node_entropy_pool_size_bits gauge\n"
            "node_entropy_pool_size_bits 256\n");
  // procfs also parses the thresholds: a malformed one fails the whole part.
  proc.Write("sys/kernel/random/read_wakeup_threshold", "-1\n");
  sink.Clear();
  EXPECT_FALSE(ReadEntropy(proc.root(), file, sink).ok());
}

std::map<std::string, std::string> Env(const std::string& text, Status* status = nullptr) {
  std::map<std::string, std::string> env;
  Status st = ParseEnvFile(text, env);
  if (status != nullptr) *status = st;
  EXPECT_TRUE(status != nullptr || st.ok()) << st.ToString();
  return env;
}

TEST(SystemEnvParseTest, QuotingEscapesAndComments) {
  auto env =
      Env("# comment\n"
          "\n"
          "NAME=\"Debian GNU/Linux\"\n"
          "ID=debian   # trailing comment\n"
          "export VERSION_CODENAME='book\"worm'\n"
          "PRETTY_NAME=\"a \\\"quoted\\\" \\\\ \\u00e9 #not a comment\"\n"
          "  SPACED =  x y  \n"
          "EMPTY=\n"
          "MIXED=ab\"cd\"'ef'\n"
          "CRLF=1\r\n");
  EXPECT_EQ(env["NAME"], "Debian GNU/Linux");
  EXPECT_EQ(env["ID"], "debian");
  EXPECT_EQ(env["VERSION_CODENAME"], "book\"worm");
  EXPECT_EQ(env["PRETTY_NAME"], "a \"quoted\" \\ \xc3\xa9 #not a comment");
  EXPECT_EQ(env["SPACED"], "x y");
  EXPECT_EQ(env["EMPTY"], "");
  EXPECT_EQ(env["MIXED"], "abcdef");
  EXPECT_EQ(env["CRLF"], "1");
  EXPECT_EQ(Env("SMILE=\"\\ud83d\\ude00\"\n")["SMILE"], "\xf0\x9f\x98\x80");
}

TEST(SystemEnvParseTest, SyntaxErrorsAsGoEnvparse) {
  for (const char* bad :
       {"NAME=\"unterminated\n", "NAME='unterminated\n", "NAME\n", "=x\n", "1NAME=x\n", "NA-ME=x\n",
        "NAME=\"\\q\"\n", "NAME=\"\\u12\"\n", "NAME=\"tail\\\n", "NAME=\"\\ud83d\"\n"}) {
    Status st;
    Env(bad, &st);
    EXPECT_FALSE(st.ok()) << bad;
  }
}

TEST(SystemOsReleaseTest, InfoAndVersion) {
  SampleSink sink;
  ASSERT_TRUE(ParseOsRelease("NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.17.2\n"
                             "PRETTY_NAME=\"Alpine Linux v3.17\"\n",
                             sink)
                  .ok());
  EXPECT_EQ(Render(sink),
            "# HELP node_os_info A metric with a constant '1' value labeled by build_id, id, "
            "id_like, image_id, image_version, name, pretty_name, variant, variant_id, version, "
            "version_codename, version_id.\n"
            "# TYPE node_os_info gauge\n"
            // Empty values are absent labels in the store (same series as node_exporter's
            // build_id="" once Prometheus ingests it).
            "node_os_info{id=\"alpine\",name=\"Alpine Linux\",pretty_name=\"Alpine Linux v3.17\","
            "version_id=\"3.17.2\"} 1\n"
            "# HELP node_os_version Metric containing the major.minor part of the OS version.\n"
            "# TYPE node_os_version gauge\n"
            "node_os_version{id=\"alpine\",name=\"Alpine Linux\"} 3.17\n");
  // No leading number (Arch's rolling release), or 0: no node_os_version.
  for (const char* text : {"ID=arch\nVERSION_ID=rolling\n", "ID=arch\n", "ID=x\nVERSION_ID=0\n"}) {
    sink.Clear();
    ASSERT_TRUE(ParseOsRelease(text, sink).ok());
    EXPECT_EQ(sink.sample_count(), 1u) << text;
  }
  sink.Clear();
  EXPECT_FALSE(ParseOsRelease("NAME=\"Debian\nID=debian\n", sink).ok());
}

TEST(SystemOsReleaseTest, EtcFirstThenUsrLibUnderRootfs) {
  TempTree root("os");
  ProcFile file;
  SampleSink sink;
  EXPECT_EQ(ReadOsRelease(root.root(), file, sink).code(), StatusCode::kNotFound);
  root.Write("usr/lib/os-release", "ID=fallback\nVERSION_ID=2\n");
  ASSERT_TRUE(ReadOsRelease(root.root(), file, sink).ok());
  EXPECT_NE(Render(sink).find("id=\"fallback\""), std::string::npos);
  root.Write("etc/os-release", "ID=etc\nVERSION_ID=1\n");
  sink.Clear();
  ASSERT_TRUE(ReadOsRelease(root.root(), file, sink).ok());
  EXPECT_NE(Render(sink).find("id=\"etc\""), std::string::npos);
  // A broken /etc/os-release is an error, not a reason to fall back.
  root.Write("etc/os-release", "ID='etc\n");
  sink.Clear();
  EXPECT_FALSE(ReadOsRelease(root.root(), file, sink).ok());
}

TEST(SystemSelinuxTest, DisabledWithoutSelinuxfs) {
  TempTree t("selinux-off");
  ProcFile file;
  SampleSink sink;
  ASSERT_TRUE(ReadSelinux({t.root() + "/proc", t.root() + "/sys", t.root()}, file, sink).ok());
  EXPECT_EQ(Render(sink),
            "# HELP node_selinux_enabled SELinux is enabled, 1 is true, 0 is false\n"
            "# TYPE node_selinux_enabled gauge\n"
            "node_selinux_enabled 0\n");
}

TEST(SystemSelinuxTest, EnabledPermissiveConfigEnforcingNow) {
  TempTree t("selinux-on");
  t.Write("sys/fs/selinux/enforce", "1");
  t.Write("proc/self/attr/current", std::string("system_u:system_r:unconfined_t:s0\0", 34));
  t.Write("etc/selinux/config",
          "# This file controls the state of SELinux on the system.\n"
          "SELINUX=\"permissive\"\n"
          "SELINUXTYPE=targeted\n");
  ProcFile file;
  SampleSink sink;
  SelinuxPaths paths{t.root() + "/proc", t.root() + "/sys", t.root()};
  ASSERT_TRUE(ReadSelinux(paths, file, sink).ok());
  EXPECT_EQ(Render(sink),
            "# HELP node_selinux_config_mode Configured SELinux enforcement mode\n"
            "# TYPE node_selinux_config_mode gauge\n"
            "node_selinux_config_mode 0\n"
            "# HELP node_selinux_current_mode Current SELinux enforcement mode\n"
            "# TYPE node_selinux_current_mode gauge\n"
            "node_selinux_current_mode 1\n"
            "# HELP node_selinux_enabled SELinux is enabled, 1 is true, 0 is false\n"
            "# TYPE node_selinux_enabled gauge\n"
            "node_selinux_enabled 1\n");
  // The kernel's own label means SELinux has no policy loaded: not enabled.
  t.Write("proc/self/attr/current", std::string("kernel\0", 7));
  sink.Clear();
  ASSERT_TRUE(ReadSelinux(paths, file, sink).ok());
  EXPECT_EQ(sink.sample_count(), 1u);
  // No config file: config mode "disabled" (-1).
  t.Write("proc/self/attr/current", "unconfined_u:unconfined_r:unconfined_t:s0");
  std::filesystem::remove(t.root() + "/etc/selinux/config");
  sink.Clear();
  ASSERT_TRUE(ReadSelinux(paths, file, sink).ok());
  RecordingAppender out;
  ASSERT_TRUE(sink.FlushTo(out).ok());
  EXPECT_EQ(out.Value(Labels{{"__name__", "node_selinux_config_mode"}}), -1);
}

// Random truncations and byte flips of realistic inputs never crash a parser.
TEST(SystemKernelParsersRobustness, TruncatedAndCorruptedInput) {
  const std::string vmstat = "nr_free_pages 955386\npgpgin 2388909\npgfault 41962758\n";
  const std::string file_nr = "1098\t0\t2466239\n";
  const std::string os =
      "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nVERSION_ID=\"12\"\nID=debian\n"
      "X=\"\\u00e9\\ud83d\\ude00\"\n";
  Regex fields = DefaultVmstatFields();
  std::mt19937 rng(7);
  SampleSink sink;
  for (int i = 0; i < 3000; ++i) {
    for (const std::string* base : {&vmstat, &file_nr, &os}) {
      std::string s = base->substr(0, rng() % (base->size() + 1));
      if (!s.empty() && rng() % 2 == 0) s[rng() % s.size()] = static_cast<char>(rng() % 256);
      sink.Clear();
      (void)ParseVmstat(s, fields, sink);
      (void)ParseFileNr(s, sink);
      (void)ParseOsRelease(s, sink);
    }
  }
}

}  // namespace
}  // namespace tocsin::system
