#include "collectors/system/hwmon.h"

#include <array>
#include <cerrno>
#include <map>
#include <set>
#include <vector>

#include "collectors/system/go_float.h"
#include "collectors/system/go_strconv.h"
#include "collectors/system/proc_file.h"
#include "collectors/system/sysfs_file.h"

namespace tocsin::system {
namespace {

// hwmonSensorTypes: the file name types node_exporter reads.
constexpr std::array<std::string_view, 13> kSensorTypes = {
    "vrm",  "beep_enable", "update_interval", "in",     "cpu",      "fan",      "pwm",
    "temp", "curr",        "power",           "energy", "humidity", "intrusion"};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// strings.Trim(s, "\n").
std::string_view TrimNewlines(std::string_view s) {
  while (!s.empty() && s.front() == '\n') s.remove_prefix(1);
  while (!s.empty() && s.back() == '\n') s.remove_suffix(1);
  return s;
}

struct Sensor {
  std::string type;
  std::map<std::string, std::string> props;  // property ("" for the bare file) -> value
};
using SensorData = std::map<std::string, Sensor>;

// collectSensorData: reads every sensor file of `dir` into `data`.
Status CollectSensorData(const std::string& dir, SensorData& data) {
  std::vector<DirEntry> entries;
  Status st = ReadDirSorted(dir, entries);
  if (!st.ok()) return st;
  std::string type, property;
  int64_t num = 0;
  for (const DirEntry& e : entries) {
    if (!HwmonExplodeFilename(e.name, type, num, property)) continue;
    bool known = false;
    for (std::string_view t : kSensorTypes) known = known || t == type;
    if (!known) continue;
    // addValueFile: any read error (EISDIR for the "power" directory, EAGAIN of a broken
    // driver, EACCES) skips the file.
    SysFileRead r = SysReadRaw(JoinPath(dir, e.name));
    if (!r.ok()) continue;
    Sensor& s = data[type + std::to_string(num)];
    s.type = type;
    s.props[property] = std::string(TrimNewlines(r.text));
  }
  return Status::Ok();
}

// hwmonName: a stable chip label.
Result<std::string> ChipName(const std::string& dir) {
  if (std::optional<std::string> device = RealPath(JoinPath(dir, "device"))) {
    std::string_view path = *device;
    size_t slash = path.rfind('/');
    std::string_view dev_name = slash == std::string_view::npos ? path : path.substr(slash + 1);
    std::string_view prefix = slash == std::string_view::npos ? "" : path.substr(0, slash);
    while (!prefix.empty() && prefix.back() == '/') prefix.remove_suffix(1);
    size_t pslash = prefix.rfind('/');
    std::string_view dev_type =
        pslash == std::string_view::npos ? prefix : prefix.substr(pslash + 1);
    std::string clean_name = HwmonCleanName(dev_name);
    std::string clean_type = HwmonCleanName(dev_type);
    if (!clean_type.empty() && !clean_name.empty()) return clean_type + "_" + clean_name;
    if (!clean_name.empty()) return clean_name;
  }
  SysFileRead name = ReadWhole(JoinPath(dir, "name"));
  if (name.ok() && !name.text.empty()) {
    std::string clean = HwmonCleanName(name.text);
    if (!clean.empty()) return clean;
  }
  std::optional<std::string> real = RealPath(dir);
  if (!real) return Internal("hwmon: cannot resolve " + dir);
  size_t slash = real->rfind('/');
  std::string clean = HwmonCleanName(slash == std::string::npos ? *real : real->substr(slash + 1));
  if (!clean.empty()) return clean;
  return Internal("hwmon: could not derive a monitoring name for " + dir);
}

// Writes one chip's series; skips a (name, labels) pair already written (two chips that
// resolve to the same label), where node_exporter's registry would reject the duplicate.
class ChipWriter {
 public:
  explicit ChipWriter(SampleSink& sink) : sink_(sink) {}

  void Add(const std::string& name, MetricType type, const std::string& help,
           const std::string& chip, const std::string& sensor, double value) {
    if (!seen_.insert(name + '\xff' + chip + '\xff' + sensor).second) return;
    if (families_.insert(name).second) sink_.Family(name, type, help);
    sink_.Add(name, {{"chip", chip}, {"sensor", sensor}}, value);
  }

  void Label(const std::string& chip, const std::string& sensor, const std::string& label) {
    static const std::string kName = "node_hwmon_sensor_label";
    if (!seen_.insert(kName + '\xff' + chip + '\xff' + sensor).second) return;
    if (families_.insert(kName).second) {
      sink_.Family(kName, MetricType::kGauge, "Label for given chip and sensor");
    }
    sink_.Add(kName, {{"chip", chip}, {"sensor", sensor}, {"label", label}}, 1);
  }

  void ChipNames(const std::string& chip, const std::string& chip_name) {
    static const std::string kName = "node_hwmon_chip_names";
    if (!seen_.insert(kName + '\xff' + chip).second) return;
    if (families_.insert(kName).second) {
      sink_.Family(kName, MetricType::kGauge, "Annotation metric for human-readable chip names");
    }
    sink_.Add(kName, {{"chip", chip}, {"chip_name", chip_name}}, 1);
  }

 private:
  SampleSink& sink_;
  std::set<std::string> families_;
  std::set<std::string> seen_;
};

// The series of one sensor element, as updateHwmon formats them.
void WriteElement(ChipWriter& w, const std::string& chip, const std::string& sensor,
                  const Sensor& s, std::string element, double v) {
  const std::string& type = s.type;
  std::string name = "node_hwmon_" + type;
  if (element == "input") {
    if (s.props.contains("")) name += "_input";
  } else if (!element.empty()) {
    name += "_" + HwmonCleanName(element);
  }
  constexpr MetricType kGauge = MetricType::kGauge;
  if (element == "fault" || element == "alarm") {
    w.Add(name, kGauge, "Hardware sensor " + element + " status (" + type + ")", chip, sensor, v);
  } else if (element == "beep") {
    w.Add(name + "_enabled", kGauge, "Hardware monitor sensor has beeping enabled", chip, sensor,
          v);
  } else if (type == "in" || type == "cpu") {
    w.Add(name + "_volts", kGauge, "Hardware monitor for voltage (" + element + ")", chip, sensor,
          v * 0.001);
  } else if (type == "temp" && element != "type") {
    if (element.empty()) element = "input";
    w.Add(name + "_celsius", kGauge, "Hardware monitor for temperature (" + element + ")", chip,
          sensor, v * 0.001);
  } else if (type == "curr") {
    w.Add(name + "_amps", kGauge, "Hardware monitor for current (" + element + ")", chip, sensor,
          v * 0.001);
  } else if (type == "energy") {
    w.Add(name + "_joule_total", MetricType::kCounter,
          "Hardware monitor for joules used so far (" + element + ")", chip, sensor, v / 1e6);
  } else if (type == "power" && element == "accuracy") {
    w.Add(name, kGauge, "Hardware monitor power meter accuracy, as a ratio", chip, sensor, v / 1e6);
  } else if (type == "power" &&
             (element == "average_interval" || element == "average_interval_min" ||
              element == "average_interval_max")) {
    w.Add(name + "_seconds", kGauge,
          "Hardware monitor power usage update interval (" + element + ")", chip, sensor,
          v * 0.001);
  } else if (type == "power") {
    w.Add(name + "_watt", kGauge, "Hardware monitor for power usage in watts (" + element + ")",
          chip, sensor, v / 1e6);
  } else if (type == "humidity") {
    w.Add(name, kGauge,
          "Hardware monitor for humidity, as a ratio (multiply with 100.0 to get the humidity as "
          "a percentage) (" +
              element + ")",
          chip, sensor, v / 1e6);
  } else if (type == "fan" &&
             (element == "input" || element == "min" || element == "max" || element == "target")) {
    w.Add(name + "_rpm", kGauge,
          "Hardware monitor for fan revolutions per minute (" + element + ")", chip, sensor, v);
  } else {
    w.Add(name, kGauge, "Hardware monitor " + type + " element " + element, chip, sensor, v);
  }
}

Status UpdateChip(const std::string& dir, ChipWriter& w) {
  Result<std::string> chip_or = ChipName(dir);
  if (!chip_or.ok()) return chip_or.status();
  const std::string& chip = *chip_or;
  SensorData data;
  Status st = CollectSensorData(dir, data);
  if (!st.ok()) return st;
  const std::string device = JoinPath(dir, "device");
  if (StatErrno(device) == 0) {
    st = CollectSensorData(device, data);
    if (!st.ok()) return st;
  }
  // hwmonHumanReadableChipName: the `name` file only.
  SysFileRead name = ReadWhole(JoinPath(dir, "name"));
  if (name.ok() && !name.text.empty()) {
    std::string clean = HwmonCleanName(name.text);
    if (!clean.empty()) w.ChipNames(chip, clean);
  }
  for (const auto& [sensor, s] : data) {
    if (auto label = s.props.find("label"); label != s.props.end()) {
      w.Label(chip, sensor, GoToValidUtf8(label->second));
    }
    auto bare = s.props.find("");
    if (s.type == "beep_enable") {
      bool on = bare != s.props.end() && bare->second == "1";
      w.Add("node_hwmon_beep_enabled", MetricType::kGauge, "Hardware beep enabled", chip, sensor,
            on ? 1 : 0);
      continue;
    }
    if (s.type == "vrm" || s.type == "update_interval") {
      std::optional<double> v = bare != s.props.end() ? GoParseFloat(bare->second) : std::nullopt;
      if (!v) continue;
      if (s.type == "vrm") {
        w.Add("node_hwmon_voltage_regulator_version", MetricType::kGauge,
              "Hardware voltage regulator", chip, sensor, *v);
      } else {
        w.Add("node_hwmon_update_interval_seconds", MetricType::kGauge,
              "Hardware monitor update interval", chip, sensor, *v * 0.001);
      }
      continue;
    }
    for (const auto& [element, value] : s.props) {
      if (element == "label") continue;
      std::optional<double> v = GoParseFloat(value);
      if (!v) continue;
      WriteElement(w, chip, sensor, s, element, *v);
    }
  }
  return Status::Ok();
}

}  // namespace

std::string HwmonCleanName(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (size_t i = 0; i < name.size();) {
    auto c = static_cast<unsigned char>(name[i]);
    if (c < 0x80) {
      char l = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : static_cast<char>(c);
      bool keep = (l >= 'a' && l <= 'z') || IsDigit(l) || l == ':' || l == '_';
      out += keep ? l : '_';
      ++i;
      continue;
    }
    // A non-ASCII rune (or one invalid byte) is one regexp match: one '_'.
    size_t n = Utf8SequenceLength(name, i);
    out += '_';
    i += n == 0 ? 1 : n;
  }
  size_t b = out.find_first_not_of('_');
  if (b == std::string::npos) return "";
  size_t e = out.find_last_not_of('_');
  return out.substr(b, e - b + 1);
}

bool HwmonExplodeFilename(std::string_view filename, std::string& type, int64_t& num,
                          std::string& property) {
  // ^(?P<type>[^0-9]+)(?P<id>[0-9]*)?(_(?P<property>.+))?$ with leftmost-first priority:
  // the longest type first, then the longest id, then the property group before none.
  size_t max_type = 0;
  while (max_type < filename.size() && !IsDigit(filename[max_type])) ++max_type;
  for (size_t t = max_type; t >= 1; --t) {
    size_t max_id = 0;
    while (t + max_id < filename.size() && IsDigit(filename[t + max_id])) ++max_id;
    for (size_t id = max_id + 1; id-- > 0;) {
      std::string_view rest = filename.substr(t + id);
      std::string_view prop;
      if (rest.size() >= 2 && rest[0] == '_') {
        prop = rest.substr(1);
      } else if (!rest.empty()) {
        continue;
      }
      type = std::string(filename.substr(0, t));
      property = std::string(prop);
      num = 0;
      if (id > 0) {
        std::optional<int64_t> n = GoParseInt(filename.substr(t, id), 10);
        if (!n) return false;  // strconv.Atoi overflow
        num = *n;
      }
      return true;
    }
  }
  return false;
}

Status ReadHwmon(const std::string& sysfs, SampleSink& sink) {
  const std::string root = JoinPath(sysfs, "class/hwmon");
  std::vector<DirEntry> entries;
  Status st = ReadDirSorted(root, entries);
  if (!st.ok()) {
    if (st.code() == StatusCode::kNotFound) {
      return NotFound("hwmon: collector metrics are not available for this system");
    }
    return st;
  }
  ChipWriter writer(sink);
  Status last;
  for (const DirEntry& e : entries) {
    const std::string dir = JoinPath(root, e.name);
    bool is_dir = e.kind == EntryKind::kDirectory;
    if (e.kind == EntryKind::kSymlink && StatErrno(dir, &is_dir) != 0) continue;
    if (!is_dir) continue;
    // A chip fails (naming, listing) before it writes anything.
    Status chip = UpdateChip(dir, writer);
    if (!chip.ok()) last = chip;
  }
  return last;
}

}  // namespace tocsin::system
