#include "collectors/system/thermal_zone.h"

#include <cerrno>
#include <optional>
#include <vector>

#include "collectors/system/proc_file.h"
#include "collectors/system/sysfs_file.h"

namespace tocsin::system {
namespace {

struct Zone {
  std::string name, type;
  int64_t temp = 0;
};

struct Cooling {
  std::string name, type;
  int64_t cur = 0, max = 0;
};

std::string Base(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// parseClassThermalZone. nullopt: skip the zone (ENODATA).
Result<std::optional<Zone>> ParseZone(const std::string& dir) {
  auto fail = [&](const SysFileRead& r, const std::string& path) -> Result<std::optional<Zone>> {
    if (r.err == ENODATA) return std::optional<Zone>();
    return r.ToStatus(path);
  };
  Zone z;
  const std::string type_path = JoinPath(dir, "type");
  SysFileRead type = SysRead(type_path);
  if (!type.ok()) return fail(type, type_path);
  z.type = type.text;
  const std::string policy_path = JoinPath(dir, "policy");
  SysFileRead policy = SysRead(policy_path);
  if (!policy.ok()) return fail(policy, policy_path);
  const std::string temp_path = JoinPath(dir, "temp");
  SysFileRead temp = ReadWhole(temp_path);
  if (!temp.ok()) return fail(temp, temp_path);
  std::optional<int64_t> t = ParseIntFile(temp.text);
  if (!t) return InvalidArgument("thermal_zone: bad temperature in " + temp_path);
  z.temp = *t;
  const std::string mode_path = JoinPath(dir, "mode");
  SysFileRead mode = SysRead(mode_path);
  if (!mode.ok() && !mode.not_exist() && !mode.permission()) return fail(mode, mode_path);
  const std::string passive_path = JoinPath(dir, "passive");
  SysFileRead passive = ReadWhole(passive_path);
  if (!passive.ok()) {
    if (!passive.not_exist() && !passive.permission()) return fail(passive, passive_path);
  } else if (!ParseUintFile(passive.text)) {
    return InvalidArgument("thermal_zone: bad value in " + passive_path);
  }
  return std::optional<Zone>(std::move(z));
}

Result<Cooling> ParseCooling(const std::string& dir) {
  Cooling c;
  const std::string type_path = JoinPath(dir, "type");
  SysFileRead type = SysRead(type_path);
  if (!type.ok()) return type.ToStatus(type_path);
  c.type = type.text;
  for (auto [file, out] : {std::pair{"max_state", &c.max}, std::pair{"cur_state", &c.cur}}) {
    const std::string path = JoinPath(dir, file);
    SysFileRead r = SysRead(path);
    if (!r.ok()) return r.ToStatus(path);
    // strconv.ParseInt(s, 10, 64) of the trimmed value.
    std::optional<int64_t> v = ParseIntFile(r.text);
    if (!v) return InvalidArgument("thermal_zone: bad value in " + path);
    *out = *v;
  }
  return c;
}

}  // namespace

Status ReadThermalZones(const std::string& sysfs, SampleSink& sink) {
  const std::string root = JoinPath(sysfs, "class/thermal");
  std::vector<Zone> zones;
  for (const std::string& dir : GlobDigitSuffix(root, "thermal_zone")) {
    Result<std::optional<Zone>> z = ParseZone(dir);
    if (!z.ok()) return z.status();
    if (!z->has_value()) continue;
    (*z)->name = Base(dir).substr(std::string_view("thermal_zone").size());
    zones.push_back(std::move(**z));
  }
  sink.Family("node_thermal_zone_temp", MetricType::kGauge, "Zone temperature in Celsius");
  for (const Zone& z : zones) {
    sink.Add("node_thermal_zone_temp", {{"zone", z.name}, {"type", z.type}},
             static_cast<double>(z.temp) / 1000.0);
  }
  std::vector<Cooling> devices;
  for (const std::string& dir : GlobDigitSuffix(root, "cooling_device")) {
    Result<Cooling> c = ParseCooling(dir);
    if (!c.ok()) return c.status();
    c->name = Base(dir).substr(std::string_view("cooling_device").size());
    devices.push_back(std::move(*c));
  }
  sink.Family("node_cooling_device_cur_state", MetricType::kGauge,
              "Current throttle state of the cooling device");
  sink.Family("node_cooling_device_max_state", MetricType::kGauge,
              "Maximum throttle state of the cooling device");
  for (const Cooling& c : devices) {
    sink.Add("node_cooling_device_cur_state", {{"name", c.name}, {"type", c.type}},
             static_cast<double>(c.cur));
    sink.Add("node_cooling_device_max_state", {{"name", c.name}, {"type", c.type}},
             static_cast<double>(c.max));
  }
  return Status::Ok();
}

}  // namespace tocsin::system
