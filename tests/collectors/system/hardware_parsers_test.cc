// Unit tests of the hardware parts (hwmon, thermal_zone, cpufreq, schedstat, mdadm,
// powersupplyclass, edac, cpu's sysfs series): node_exporter 1.5 naming and scaling, its edge
// cases, and malformed or missing input.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "collectors/system/cpu_sysfs.h"
#include "collectors/system/cpufreq.h"
#include "collectors/system/edac.h"
#include "collectors/system/go_float.h"
#include "collectors/system/hwmon.h"
#include "collectors/system/mdadm.h"
#include "collectors/system/powersupplyclass.h"
#include "collectors/system/schedstat.h"
#include "collectors/system/sysfs_file.h"
#include "collectors/system/thermal_zone.h"
#include "tests/fakes/recording_appender.h"

namespace tocsin::system {
namespace {

using tocsin::testing::RecordingAppender;

RecordingAppender Flush(SampleSink& sink) {
  RecordingAppender out;
  EXPECT_TRUE(sink.FlushTo(out).ok());
  return out;
}

std::optional<double> Value(const RecordingAppender& out, std::initializer_list<Label> labels) {
  return out.Value(Labels(labels));
}

// A scratch sysfs/procfs tree, emptied first, named after the running test.
class HardwareTree : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = ::testing::TempDir() + "/tocsin-hw-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_);
  }
  void Write(const std::string& rel, const std::string& text) {
    std::filesystem::path p = root_ + "/" + rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
  }
  void Link(const std::string& target, const std::string& rel) {
    std::filesystem::path p = root_ + "/" + rel;
    std::filesystem::create_directories(p.parent_path());
    std::filesystem::create_symlink(target, p);
  }
  std::string root_;
};

TEST(SystemGoFloatTest, ParsesLikeStrconvParseFloat) {
  EXPECT_EQ(GoParseFloat("45000"), 45000);
  EXPECT_EQ(GoParseFloat("-273150"), -273150);
  EXPECT_EQ(GoParseFloat("+1.5"), 1.5);
  EXPECT_EQ(GoParseFloat("1e3"), 1000);
  EXPECT_EQ(GoParseFloat(".5"), 0.5);
  EXPECT_EQ(GoParseFloat("5."), 5);
  EXPECT_EQ(GoParseFloat("1e-400"), 0);  // underflow is not an error in Go
  EXPECT_EQ(GoParseFloat("-Inf"), -INFINITY);
  EXPECT_EQ(GoParseFloat("infinity"), INFINITY);
  EXPECT_TRUE(std::isnan(*GoParseFloat("NaN")));
  for (const char* bad : {"", ".", "-", "1e", "1e+", "1e400", " 1", "1 ", "1\n", "0x10", "1_000",
                          "+nan", "n/a", "1.2.3", "12a"}) {
    EXPECT_FALSE(GoParseFloat(bad)) << bad;
  }
}

TEST(SystemHwmonTest, ExplodeFilenameFollowsTheRegexpPriorities) {
  std::string type, prop;
  int64_t num = -1;
  ASSERT_TRUE(HwmonExplodeFilename("temp1_crit_alarm", type, num, prop));
  EXPECT_EQ(type, "temp");
  EXPECT_EQ(num, 1);
  EXPECT_EQ(prop, "crit_alarm");
  ASSERT_TRUE(HwmonExplodeFilename("pwm2", type, num, prop));
  EXPECT_EQ(type, "pwm");
  EXPECT_EQ(num, 2);
  EXPECT_EQ(prop, "");
  ASSERT_TRUE(HwmonExplodeFilename("beep_enable", type, num, prop));
  EXPECT_EQ(type, "beep_enable");
  EXPECT_EQ(num, 0);
  ASSERT_TRUE(HwmonExplodeFilename("temp01_input", type, num, prop));
  EXPECT_EQ(num, 1);  // "temp1" after strconv.Atoi
  // The greedy type cannot end before "1x"; backtracking makes "1x" the property.
  ASSERT_TRUE(HwmonExplodeFilename("temp_1x", type, num, prop));
  EXPECT_EQ(type, "temp");
  EXPECT_EQ(num, 0);
  EXPECT_EQ(prop, "1x");
  EXPECT_FALSE(HwmonExplodeFilename("in0input", type, num, prop));
  EXPECT_FALSE(HwmonExplodeFilename("temp1_", type, num, prop));
  EXPECT_FALSE(HwmonExplodeFilename("1temp", type, num, prop));
  EXPECT_FALSE(HwmonExplodeFilename("", type, num, prop));
  EXPECT_FALSE(HwmonExplodeFilename("temp99999999999999999999_input", type, num, prop));
}

TEST(SystemHwmonTest, CleanNameLikeCleanMetricName) {
  EXPECT_EQ(HwmonCleanName("coretemp.0"), "coretemp_0");
  EXPECT_EQ(HwmonCleanName("nct6779\n"), "nct6779");
  EXPECT_EQ(HwmonCleanName("__Physical id 0__"), "physical_id_0");
  EXPECT_EQ(HwmonCleanName("0000:00:18.3"), "0000:00:18_3");
  EXPECT_EQ(HwmonCleanName("\xc3\xa4x"), "x");  // one rune, one '_', trimmed
  EXPECT_EQ(HwmonCleanName("a\xc3\xa4x"), "a_x");
  EXPECT_EQ(HwmonCleanName("a\xff\xfex"), "a__x");  // one '_' per invalid byte
  EXPECT_EQ(HwmonCleanName("\n"), "");
}

TEST_F(HardwareTree, HwmonChipNamesValuesAndSkips) {
  // A chip behind a device link: "<parent>_<device>".
  Link("../../devices/pci0000:00/0000:00:18.3/hwmon/hwmon0", "class/hwmon/hwmon0");
  Link("../../../0000:00:18.3", "devices/pci0000:00/0000:00:18.3/hwmon/hwmon0/device");
  Write("devices/pci0000:00/0000:00:18.3/hwmon/hwmon0/name", "k10temp\n");
  Write("devices/pci0000:00/0000:00:18.3/hwmon/hwmon0/temp1_input", "41250\n");
  Write("devices/pci0000:00/0000:00:18.3/hwmon/hwmon0/temp1_label", "Tctl\xff\xfe\n");
  Write("devices/pci0000:00/0000:00:18.3/hwmon/hwmon0/temp1", "1\n");  // bare file: "_input"
  Write("devices/pci0000:00/0000:00:18.3/temp2_input", "39000\n");     // in the device dir
  // No device link and no name file: the directory's name.
  Write("class/hwmon/hwmon1/fan1_input", " 1200\n");  // spaces are not trimmed: skipped
  Write("class/hwmon/hwmon1/fan1_div", "8\n");
  Write("class/hwmon/hwmon1/temp1_type", "4\n");
  Write("class/hwmon/hwmon1/temp1_enable", "1\n");
  Write("class/hwmon/hwmon1/power1_accuracy", "25000\n");
  Write("class/hwmon/hwmon1/humidity1_input", "not a number\n");
  Write("class/hwmon/hwmon1/name", "\n");  // cleans to nothing: no chip_names
  Write("class/hwmon/hwmon1/beep_enable", "0\n");
  Write("class/hwmon/hwmon1/vrm", "bogus\n");   // unparsable vrm: skipped
  Write("class/hwmon/not-a-chip", "x\n");       // a regular file: skipped
  Link("../../nowhere", "class/hwmon/hwmon9");  // dangling: skipped
  SampleSink sink;
  ASSERT_TRUE(ReadHwmon(root_, sink).ok());
  RecordingAppender out = Flush(sink);
  const std::string chip0 = "pci0000:00_0000:00:18_3";
  EXPECT_EQ(
      Value(out,
            {{"__name__", "node_hwmon_chip_names"}, {"chip", chip0}, {"chip_name", "k10temp"}}),
      1);
  EXPECT_EQ(
      Value(out,
            {{"__name__", "node_hwmon_temp_input_celsius"}, {"chip", chip0}, {"sensor", "temp1"}}),
      41.25);
  EXPECT_EQ(
      Value(out, {{"__name__", "node_hwmon_temp_celsius"}, {"chip", chip0}, {"sensor", "temp1"}}),
      0.001);
  EXPECT_EQ(
      Value(out, {{"__name__", "node_hwmon_temp_celsius"}, {"chip", chip0}, {"sensor", "temp2"}}),
      39);
  EXPECT_EQ(Value(out, {{"__name__", "node_hwmon_sensor_label"},
                        {"chip", chip0},
                        {"sensor", "temp1"},
                        {"label", "Tctl\xEF\xBF\xBD"}}),
            1);
  EXPECT_TRUE(out.Series("node_hwmon_fan_rpm").empty());
  EXPECT_EQ(
      Value(out, {{"__name__", "node_hwmon_fan_div"}, {"chip", "hwmon1"}, {"sensor", "fan1"}}), 8);
  EXPECT_EQ(
      Value(out, {{"__name__", "node_hwmon_temp_type"}, {"chip", "hwmon1"}, {"sensor", "temp1"}}),
      4);
  // 1.5 gives *_enable of a temperature the _celsius suffix and scaling.
  EXPECT_EQ(Value(out, {{"__name__", "node_hwmon_temp_enable_celsius"},
                        {"chip", "hwmon1"},
                        {"sensor", "temp1"}}),
            0.001);
  EXPECT_EQ(
      Value(out,
            {{"__name__", "node_hwmon_power_accuracy"}, {"chip", "hwmon1"}, {"sensor", "power1"}}),
      0.025);
  EXPECT_EQ(Value(out, {{"__name__", "node_hwmon_beep_enabled"},
                        {"chip", "hwmon1"},
                        {"sensor", "beep_enable0"}}),
            0);
  EXPECT_TRUE(out.Series("node_hwmon_humidity").empty());
  EXPECT_TRUE(out.Series("node_hwmon_voltage_regulator_version").empty());
  EXPECT_EQ(out.Series("node_hwmon_chip_names").size(), 1u);
  EXPECT_NE(out.Render().find("# HELP node_hwmon_fan_div Hardware monitor fan element div\n"),
            std::string::npos);
}

TEST_F(HardwareTree, HwmonDuplicateChipNamesAreWrittenOnce) {
  Write("class/hwmon/hwmon0/name", "acpitz\n");
  Write("class/hwmon/hwmon0/temp1_input", "27800\n");
  Write("class/hwmon/hwmon1/name", "acpitz\n");
  Write("class/hwmon/hwmon1/temp1_input", "29800\n");
  SampleSink sink;
  ASSERT_TRUE(ReadHwmon(root_, sink).ok());
  RecordingAppender out = Flush(sink);
  EXPECT_TRUE(out.DuplicateSeries().empty());
  EXPECT_EQ(
      Value(out,
            {{"__name__", "node_hwmon_temp_celsius"}, {"chip", "acpitz"}, {"sensor", "temp1"}}),
      27.8);
}

TEST_F(HardwareTree, HwmonWithoutClassDirectoryIsNoData) {
  SampleSink sink;
  EXPECT_EQ(ReadHwmon(root_, sink).code(), StatusCode::kNotFound);
  EXPECT_EQ(sink.sample_count(), 0u);
}

TEST_F(HardwareTree, ThermalZonesAndCoolingDevices) {
  Write("class/thermal/thermal_zone0/type", "x86_pkg_temp\n");
  Write("class/thermal/thermal_zone0/policy", "step_wise\n");
  Write("class/thermal/thermal_zone0/temp", "-5500\n");
  Write("class/thermal/thermal_zone0/mode", "weird\n");  // any mode text is accepted
  Write("class/thermal/cooling_device3/type", "intel_powerclamp\n");
  Write("class/thermal/cooling_device3/cur_state", "-1\n");
  Write("class/thermal/cooling_device3/max_state", "50\n");
  Write("class/thermal/thermal_zoneX/type", "not matched by the glob\n");
  SampleSink sink;
  ASSERT_TRUE(ReadThermalZones(root_, sink).ok());
  RecordingAppender out = Flush(sink);
  EXPECT_EQ(
      Value(out, {{"__name__", "node_thermal_zone_temp"}, {"zone", "0"}, {"type", "x86_pkg_temp"}}),
      -5.5);
  EXPECT_EQ(Value(out, {{"__name__", "node_cooling_device_cur_state"},
                        {"name", "3"},
                        {"type", "intel_powerclamp"}}),
            -1);
  EXPECT_EQ(out.Series("node_thermal_zone_temp").size(), 1u);
}

TEST_F(HardwareTree, ThermalErrors) {
  SampleSink empty;
  EXPECT_TRUE(ReadThermalZones(root_, empty).ok());  // no class/thermal: nothing, success
  EXPECT_EQ(empty.sample_count(), 0u);
  Write("class/thermal/thermal_zone0/type", "acpitz\n");
  Write("class/thermal/thermal_zone0/temp", "27800\n");
  SampleSink no_policy;
  EXPECT_FALSE(ReadThermalZones(root_, no_policy).ok());
  Write("class/thermal/thermal_zone0/policy", "step_wise\n");
  Write("class/thermal/thermal_zone0/passive", "off\n");
  SampleSink bad_passive;
  EXPECT_FALSE(ReadThermalZones(root_, bad_passive).ok());
  Write("class/thermal/thermal_zone0/passive", "0\n");
  Write("class/thermal/cooling_device0/type", "Fan\n");
  Write("class/thermal/cooling_device0/cur_state", "0\n");
  Write("class/thermal/cooling_device0/max_state", "high\n");
  // The zones were read before the cooling device failed: they stay staged.
  SampleSink bad_cooling;
  EXPECT_FALSE(ReadThermalZones(root_, bad_cooling).ok());
  RecordingAppender out = Flush(bad_cooling);
  EXPECT_EQ(out.Series("node_thermal_zone_temp").size(), 1u);
  EXPECT_TRUE(out.Series("node_cooling_device_cur_state").empty());
}

TEST_F(HardwareTree, CpufreqSeriesAndRules) {
  const std::string dir = "devices/system/cpu/cpu0/cpufreq/";
  for (const char* f : {"scaling_available_governors", "scaling_driver", "scaling_governor",
                        "related_cpus", "scaling_setspeed"}) {
    Write(dir + f, "x\n");
  }
  Write(dir + "cpuinfo_cur_freq", "2400000\n");
  Write(dir + "scaling_min_freq", "400000\n");
  Write("devices/system/cpu/cpu1/online", "1\n");  // no cpufreq directory: skipped
  Write("devices/system/cpu/cpufreq/policy0/x", "");
  SampleSink sink;
  ASSERT_TRUE(ReadCpufreq(root_, sink).ok());
  RecordingAppender out = Flush(sink);
  EXPECT_EQ(Value(out, {{"__name__", "node_cpu_frequency_hertz"}, {"cpu", "0"}}), 2.4e9);
  EXPECT_EQ(Value(out, {{"__name__", "node_cpu_scaling_frequency_min_hertz"}, {"cpu", "0"}}), 4e8);
  EXPECT_EQ(out.samples().size(), 2u);  // absent files: no series
  // A malformed frequency, or a missing string attribute, fails the part.
  Write(dir + "scaling_max_freq", "max\n");
  SampleSink bad;
  EXPECT_FALSE(ReadCpufreq(root_, bad).ok());
  std::filesystem::remove(root_ + "/" + dir + "scaling_max_freq");
  std::filesystem::remove(root_ + "/" + dir + "scaling_setspeed");
  SampleSink missing;
  EXPECT_EQ(ReadCpufreq(root_, missing).code(), StatusCode::kNotFound);
  SampleSink none;
  EXPECT_TRUE(ReadCpufreq(root_ + "/nothing", none).ok());
}

TEST(SystemSchedstatTest, CpuLinesOnly) {
  SampleSink sink;
  ASSERT_TRUE(ParseSchedstat("version 15\n"
                             "timestamp 4297299139\n"
                             "cpu0 0 0 0 0 0 0 2045936778163039 343796328169361 4767485306\n"
                             "domain0 00000003 212499247 210112015 1861015 1860405436 536440\n"
                             "cpu1  0 0 0 0 0 0 1 2 3\n"                    // two spaces: no match
                             "cpu2 0 0 0 0 0 0 1 2\n"                       // too few numbers
                             "cpu3 0 0 0 0 0 0 1 2 99999999999999999999\n"  // overflow: skipped
                             "x cpu4 0 0 0 0 0 0 10 20 30 40\n",            // unanchored
                             sink)
                  .ok());
  RecordingAppender out = Flush(sink);
  EXPECT_EQ(Value(out, {{"__name__", "node_schedstat_running_seconds_total"}, {"cpu", "0"}}),
            2045936.778163039);
  EXPECT_EQ(Value(out, {{"__name__", "node_schedstat_waiting_seconds_total"}, {"cpu", "0"}}),
            343796.328169361);
  EXPECT_EQ(Value(out, {{"__name__", "node_schedstat_timeslices_total"}, {"cpu", "4"}}), 30);
  EXPECT_EQ(out.Series("node_schedstat_timeslices_total").size(), 2u);
  SampleSink empty;
  EXPECT_TRUE(ParseSchedstat("", empty).ok());
}

TEST(SystemMdadmTest, StatesDisksAndSync) {
  SampleSink sink;
  ASSERT_TRUE(ParseMdstat("Personalities : [raid1] [raid6]\n"
                          "md3 : active raid1 sdb1[1] sda1[0]\n"
                          "      1953382400 blocks super 1.2 [2/2] [UU]\n"
                          "      [>....................]  check =  0.5% (9866624/1953382400) "
                          "finish=189.2min speed=171146K/sec\n"
                          "\n"
                          "md4 : active raid1 sdd1[2] sdc1[0]\n"
                          "      1046528 blocks [2/1] [U_]\n"
                          "      [=>...................]  recovery =  9.9% (103936/1046528) "
                          "finish=0.9min speed=17322K/sec\n"
                          "\n"
                          "md5 : active raid10 sde[0] sdf[1]\n"
                          "      1000 blocks 2 near-copies [2/2] [UU]\n"
                          "        resync=DELAYED\n"
                          "\n"
                          "md127 : inactive sdg[0](S)\n"
                          "      976631512 blocks super external:imsm\n"
                          "\n"
                          "md6 : active linear sdh[1] sdi[0]\n"
                          "      200 blocks super 1.2 0k rounding\n"
                          "\n"
                          "unused devices: <none>\n",
                          sink)
                  .ok());
  RecordingAppender out = Flush(sink);
  auto v = [&](const char* name, const char* dev, const char* state = nullptr) {
    if (state == nullptr) return Value(out, {{"__name__", name}, {"device", dev}});
    return Value(out, {{"__name__", name}, {"device", dev}, {"state", state}});
  };
  EXPECT_EQ(v("node_md_state", "md3", "check"), 1);
  EXPECT_EQ(v("node_md_state", "md3", "active"), 0);
  EXPECT_EQ(v("node_md_blocks_synced", "md3"), 9866624);
  EXPECT_EQ(v("node_md_state", "md4", "recovering"), 1);
  EXPECT_EQ(v("node_md_disks", "md4", "active"), 1);
  EXPECT_EQ(v("node_md_disks_required", "md4"), 2);
  EXPECT_EQ(v("node_md_state", "md5", "resync"), 1);
  EXPECT_EQ(v("node_md_blocks_synced", "md5"), 0);  // DELAYED
  EXPECT_EQ(v("node_md_state", "md127", "inactive"), 1);
  EXPECT_EQ(v("node_md_disks_required", "md127"), 0);
  EXPECT_EQ(v("node_md_disks", "md127", "spare"), 1);
  EXPECT_EQ(v("node_md_blocks", "md127"), 976631512);
  EXPECT_EQ(v("node_md_disks_required", "md6"), 2);  // linear: '[' count
  EXPECT_EQ(v("node_md_blocks_synced", "md6"), 200);
}

TEST(SystemMdadmTest, MalformedInputFails) {
  const std::string tail = "\n\nunused devices: <none>\n";
  for (const std::string& bad : {
           std::string("md0 :\n      100 blocks [1/1] [U]\n\n\n"),                  // < 3 fields
           std::string("md0 : active raid1 sda[0]\n      100 blocks [1/1] [U]\n"),  // few lines
           "md0 : active raid1 sda[0]\n      many blocks [1/1] [U]" + tail,
           "md0 : active raid1 sda[0]\n      100 blocks super 1.2" + tail,  // no [n/m] [U_]
           std::string("md0 : active raid1 sda[0]\n      100 blocks [1/1] [U]\n"
                       "      [>...]  recovery =  1.0% (1/100) finish=1.0min\n\n"),  // no speed
           std::string("md0 : active raid1 sda[0]\n      100 blocks [1/1] [U]\n"
                       "      [>...]  resync = x% (1/100) finish=1.0min speed=1K/sec\n\n"),
       }) {
    SampleSink sink;
    EXPECT_FALSE(ParseMdstat(bad, sink).ok()) << bad;
  }
  SampleSink none;
  EXPECT_TRUE(ParseMdstat("Personalities : \nunused devices: <none>\n", none).ok());
}

TEST_F(HardwareTree, PowerSupplies) {
  Write("class/power_supply/BAT0/capacity", "0x50\n");  // ParseInt base 0
  Write("class/power_supply/BAT0/temp", "295\n");
  Write("class/power_supply/BAT0/current_now", "-1500000\n");
  Write("class/power_supply/BAT0/status", "Charging\n");
  Write("class/power_supply/BAT0/serial_number", "   \n");  // empty: no label
  Write("class/power_supply/BAT0/model_name", "X\xff\n");
  Write("class/power_supply/BAT0/uevent", "POWER_SUPPLY_NAME=BAT0\n");
  Write("class/power_supply/ucsi-source-psy-1/online", "0\n");
  SampleSink sink;
  Regex ignore = std::move(Regex::Compile("^ucsi", Regex::Anchoring::kNone)).value();
  ASSERT_TRUE(ReadPowerSupplies(root_, ignore, sink).ok());
  RecordingAppender out = Flush(sink);
  EXPECT_EQ(Value(out, {{"__name__", "node_power_supply_capacity"}, {"power_supply", "BAT0"}}), 80);
  EXPECT_EQ(Value(out, {{"__name__", "node_power_supply_temp_celsius"}, {"power_supply", "BAT0"}}),
            29.5);
  EXPECT_EQ(
      Value(out, {{"__name__", "node_power_supply_current_ampere"}, {"power_supply", "BAT0"}}),
      -1.5);
  EXPECT_EQ(Value(out, {{"__name__", "node_power_supply_info"},
                        {"power_supply", "BAT0"},
                        {"status", "Charging"},
                        {"model_name", "X\xEF\xBF\xBD"}}),
            1);
  EXPECT_TRUE(out.Series("node_power_supply_online").empty());  // ignored supply
  EXPECT_NE(out.Render().find("# HELP node_power_supply_capacity capacity value of "
                              "/sys/class/power_supply/<power_supply>.\n"),
            std::string::npos);
  // A malformed number fails the part, even in a supply that is ignored afterwards.
  Write("class/power_supply/ucsi-source-psy-1/voltage_avg", "5V\n");
  SampleSink bad;
  EXPECT_FALSE(ReadPowerSupplies(root_, ignore, bad).ok());
  SampleSink none;
  EXPECT_EQ(ReadPowerSupplies(root_ + "/nothing", ignore, none).code(), StatusCode::kNotFound);
}

TEST_F(HardwareTree, EdacControllersAndCsrows) {
  const std::string mc = "devices/system/edac/mc/mc1/";
  Write(mc + "ce_count", "7\n");
  Write(mc + "ce_noinfo_count", "1\n");
  Write(mc + "ue_count", "0\n");
  Write(mc + "ue_noinfo_count", "0\n");
  Write(mc + "csrow2/ce_count", "6\n");
  Write(mc + "csrow2/ue_count", "0\n");
  SampleSink sink;
  ASSERT_TRUE(ReadEdac(root_, sink).ok());
  RecordingAppender out = Flush(sink);
  EXPECT_EQ(Value(out, {{"__name__", "node_edac_correctable_errors_total"}, {"controller", "1"}}),
            7);
  EXPECT_EQ(Value(out, {{"__name__", "node_edac_csrow_correctable_errors_total"},
                        {"controller", "1"},
                        {"csrow", "unknown"}}),
            1);
  EXPECT_EQ(Value(out, {{"__name__", "node_edac_csrow_correctable_errors_total"},
                        {"controller", "1"},
                        {"csrow", "2"}}),
            6);
  std::filesystem::remove(root_ + "/" + mc + "csrow2/ue_count");
  SampleSink missing;
  EXPECT_FALSE(ReadEdac(root_, missing).ok());
  SampleSink none;
  EXPECT_TRUE(ReadEdac(root_ + "/nothing", none).ok());
}

TEST(SystemCpuIsolatedTest, ListsAndRanges) {
  SampleSink sink;
  ASSERT_TRUE(ParseCpuIsolated("0-2,5,,7\n", sink).ok());
  RecordingAppender out = Flush(sink);
  EXPECT_EQ(out.Series("node_cpu_isolated").size(), 5u);
  EXPECT_EQ(Value(out, {{"__name__", "node_cpu_isolated"}, {"cpu", "1"}}), 1);
  SampleSink empty;
  ASSERT_TRUE(ParseCpuIsolated("\n", empty).ok());
  EXPECT_EQ(empty.sample_count(), 0u);
  for (const char* bad : {"1-", "a", "1-2-3", "-1", "1 2"}) {
    SampleSink s;
    EXPECT_FALSE(ParseCpuIsolated(bad, s).ok()) << bad;
  }
}

TEST_F(HardwareTree, ThermalThrottlesPerPackageAndCore) {
  // cpu0 and cpu2 are SMT siblings of core 0; cpu1 has no topology.
  for (auto [cpu, core] :
       {std::pair{"cpu0", "0"}, std::pair{"cpu2", "0"}, std::pair{"cpu3", "1"}}) {
    Write(std::string("devices/system/cpu/") + cpu + "/topology/physical_package_id", "0\n");
    Write(std::string("devices/system/cpu/") + cpu + "/topology/core_id", std::string(core) + "\n");
  }
  Write("devices/system/cpu/cpu0/thermal_throttle/core_throttle_count", "bad\n");
  Write("devices/system/cpu/cpu2/thermal_throttle/core_throttle_count", "4\n");  // retried
  Write("devices/system/cpu/cpu2/thermal_throttle/package_throttle_count", "9\n");
  Write("devices/system/cpu/cpu1/thermal_throttle/core_throttle_count", "100\n");
  SampleSink sink;
  ReadCpuThermalThrottle(root_, sink);
  RecordingAppender out = Flush(sink);
  EXPECT_EQ(
      Value(out, {{"__name__", "node_cpu_core_throttles_total"}, {"package", "0"}, {"core", "0"}}),
      4);
  EXPECT_EQ(out.Series("node_cpu_core_throttles_total").size(), 1u);
  EXPECT_EQ(Value(out, {{"__name__", "node_cpu_package_throttles_total"}, {"package", "0"}}), 9);
}

}  // namespace
}  // namespace tocsin::system
