#include "collectors/system/powersupplyclass.h"

#include <array>
#include <cerrno>
#include <map>
#include <optional>
#include <vector>

#include "collectors/system/go_strconv.h"
#include "collectors/system/proc_file.h"
#include "collectors/system/sysfs_file.h"

namespace tocsin::system {
namespace {

struct NumericAttr {
  std::string_view file;    // attribute file
  std::string_view metric;  // after "node_power_supply_"
  double divisor;
};

// The attributes node_exporter 1.5 exports, with its names and scaling.
constexpr std::array<NumericAttr, 49> kNumeric = {{
    {"authentic", "authentic", 1},
    {"calibrate", "calibrate", 1},
    {"capacity", "capacity", 1},
    {"capacity_alert_max", "capacity_alert_max", 1},
    {"capacity_alert_min", "capacity_alert_min", 1},
    {"cycle_count", "cyclecount", 1},
    {"online", "online", 1},
    {"present", "present", 1},
    {"time_to_empty_now", "time_to_empty_seconds", 1},
    {"time_to_full_now", "time_to_full_seconds", 1},
    {"current_boot", "current_boot", 1e6},
    {"current_max", "current_max", 1e6},
    {"current_now", "current_ampere", 1e6},
    {"energy_empty", "energy_empty", 1e6},
    {"energy_empty_design", "energy_empty_design", 1e6},
    {"energy_full", "energy_full", 1e6},
    {"energy_full_design", "energy_full_design", 1e6},
    {"energy_now", "energy_watthour", 1e6},
    {"voltage_boot", "voltage_boot", 1e6},
    {"voltage_max", "voltage_max", 1e6},
    {"voltage_max_design", "voltage_max_design", 1e6},
    {"voltage_min", "voltage_min", 1e6},
    {"voltage_min_design", "voltage_min_design", 1e6},
    {"voltage_now", "voltage_volt", 1e6},
    {"voltage_ocv", "voltage_ocv", 1e6},
    {"charge_control_limit", "charge_control_limit", 1e6},
    {"charge_control_limit_max", "charge_control_limit_max", 1e6},
    {"charge_counter", "charge_counter", 1e6},
    {"charge_empty", "charge_empty", 1e6},
    {"charge_empty_design", "charge_empty_design", 1e6},
    {"charge_full", "charge_full", 1e6},
    {"charge_full_design", "charge_full_design", 1e6},
    {"charge_now", "charge_ampere", 1e6},
    {"charge_term_current", "charge_term_current", 1e6},
    {"constant_charge_current", "constant_charge_current", 1e6},
    {"constant_charge_current_max", "constant_charge_current_max", 1e6},
    {"constant_charge_voltage", "constant_charge_voltage", 1e6},
    {"constant_charge_voltage_max", "constant_charge_voltage_max", 1e6},
    {"precharge_current", "precharge_current", 1e6},
    {"input_current_limit", "input_current_limit", 1e6},
    {"power_now", "power_watt", 1e6},
    {"temp", "temp_celsius", 10},
    {"temp_alert_max", "temp_alert_max_celsius", 10},
    {"temp_alert_min", "temp_alert_min_celsius", 10},
    {"temp_ambient", "temp_ambient_celsius", 10},
    {"temp_ambient_max", "temp_ambient_max_celsius", 10},
    {"temp_ambient_min", "temp_ambient_min_celsius", 10},
    {"temp_max", "temp_max_celsius", 10},
    {"temp_min", "temp_min_celsius", 10},
}};

// Numeric attributes procfs parses but node_exporter does not export (a malformed one still
// fails the part).
constexpr std::array<std::string_view, 7> kParsedOnly = {
    "charge_avg",        "current_avg",      "energy_avg", "power_avg",
    "time_to_empty_avg", "time_to_full_avg", "voltage_avg"};

// String attributes, and the info label each becomes.
constexpr std::array<std::string_view, 11> kStrings = {
    "capacity_level", "charge_type", "health", "manufacturer", "model_name", "serial_number",
    "status",         "technology",  "type",   "usb_type",     "scope"};

struct Supply {
  std::string name;
  std::array<std::optional<int64_t>, kNumeric.size()> numeric;
  std::array<std::string, kStrings.size()> strings;
};

Status ParseSupply(const std::string& dir, Supply& ps) {
  std::vector<DirEntry> entries;
  Status st = ReadDirSorted(dir, entries);
  if (!st.ok()) return st;
  for (const DirEntry& e : entries) {
    if (e.kind != EntryKind::kRegular) continue;
    const std::string path = JoinPath(dir, e.name);
    SysFileRead r = SysRead(path);
    if (!r.ok()) {
      // os.IsNotExist, and procfs' err.Error() comparisons, which only a bare read(2)
      // error passes.
      if (r.not_exist() || (!r.at_open && (r.err == EOPNOTSUPP || r.err == EINVAL))) continue;
      return r.ToStatus(path);
    }
    bool numeric = false;
    for (size_t i = 0; i < kNumeric.size(); ++i) {
      if (e.name != kNumeric[i].file) continue;
      numeric = true;
      ps.numeric[i] = GoParseInt(r.text, 0);
    }
    for (std::string_view f : kParsedOnly) numeric = numeric || e.name == f;
    if (numeric) {
      if (!GoParseInt(r.text, 0)) return InvalidArgument("power_supply: bad value in " + path);
      continue;
    }
    for (size_t i = 0; i < kStrings.size(); ++i) {
      if (e.name == kStrings[i]) ps.strings[i] = r.text;
    }
  }
  return Status::Ok();
}

}  // namespace

Status ReadPowerSupplies(const std::string& sysfs, const Regex& ignored, SampleSink& sink) {
  const std::string root = JoinPath(sysfs, "class/power_supply");
  std::vector<DirEntry> entries;
  Status st = ReadDirSorted(root, entries);
  if (!st.ok()) return st;  // NotFound: ErrNoData
  std::vector<Supply> supplies;
  for (const DirEntry& e : entries) {
    Supply ps;
    ps.name = e.name;
    st = ParseSupply(JoinPath(root, e.name), ps);
    if (!st.ok()) return st;
    supplies.push_back(std::move(ps));
  }
  std::array<std::string, kNumeric.size()> names;
  for (size_t i = 0; i < kNumeric.size(); ++i) {
    names[i] = "node_power_supply_" + std::string(kNumeric[i].metric);
    sink.Family(
        names[i], MetricType::kGauge,
        std::string(kNumeric[i].metric) + " value of /sys/class/power_supply/<power_supply>.");
  }
  sink.Family("node_power_supply_info", MetricType::kGauge,
              "info of /sys/class/power_supply/<power_supply>.");
  for (const Supply& ps : supplies) {
    if (ignored.Matches(ps.name)) continue;
    for (size_t i = 0; i < kNumeric.size(); ++i) {
      if (!ps.numeric[i]) continue;
      sink.Add(names[i], {{"power_supply", ps.name}},
               static_cast<double>(*ps.numeric[i]) / kNumeric[i].divisor);
    }
    std::vector<Label> labels;
    labels.push_back(Label{"power_supply", GoToValidUtf8(ps.name)});
    for (size_t i = 0; i < kStrings.size(); ++i) {
      if (!ps.strings[i].empty()) {
        labels.push_back(Label{std::string(kStrings[i]), GoToValidUtf8(ps.strings[i])});
      }
    }
    sink.Add("node_power_supply_info", std::move(labels), 1);
  }
  return Status::Ok();
}

}  // namespace tocsin::system
