#include "collectors/system/cpu_sysfs.h"

#include <map>
#include <optional>
#include <set>
#include <vector>

#include "collectors/system/go_strconv.h"
#include "collectors/system/proc_file.h"
#include "collectors/system/sysfs_file.h"

namespace tocsin::system {
namespace {

constexpr int64_t kMaxCpus = 65536;

std::optional<uint64_t> ReadUint(const std::string& path) {
  SysFileRead r = ReadWhole(path);
  if (!r.ok()) return std::nullopt;
  return ParseUintFile(r.text);
}

}  // namespace

Status ParseCpuIsolated(std::string_view text, SampleSink& sink) {
  while (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  std::set<uint16_t> cpus;
  while (true) {
    size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    if (!item.empty()) {
      size_t dash = item.find('-');
      if (dash != std::string_view::npos) {
        if (item.find('-', dash + 1) != std::string_view::npos) {
          return InvalidArgument("isolated: invalid cpu range: " + std::string(item));
        }
        std::optional<int64_t> start = GoParseInt(item.substr(0, dash), 10);
        std::optional<int64_t> end = GoParseInt(item.substr(dash + 1), 10);
        if (!start || !end) {
          return InvalidArgument("isolated: invalid cpu range: " + std::string(item));
        }
        for (int64_t i = *start, n = 0; i <= *end && n < kMaxCpus; ++i, ++n) {
          cpus.insert(static_cast<uint16_t>(i));
        }
      } else {
        std::optional<int64_t> cpu = GoParseInt(item, 10);
        if (!cpu) return InvalidArgument("isolated: invalid cpu: " + std::string(item));
        cpus.insert(static_cast<uint16_t>(*cpu));
      }
    }
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  sink.Family("node_cpu_isolated", MetricType::kGauge,
              "Whether each core is isolated, information from /sys/devices/system/cpu/isolated.");
  for (uint16_t cpu : cpus) sink.Add("node_cpu_isolated", {{"cpu", std::to_string(cpu)}}, 1);
  return Status::Ok();
}

Status ReadCpuIsolated(const std::string& sysfs, SampleSink& sink) {
  const std::string path = JoinPath(sysfs, "devices/system/cpu/isolated");
  SysFileRead r = ReadWhole(path);
  if (!r.ok()) {
    if (r.not_exist()) return Status::Ok();
    return r.ToStatus(path);
  }
  return ParseCpuIsolated(r.text, sink);
}

void ReadCpuThermalThrottle(const std::string& sysfs, SampleSink& sink) {
  std::map<uint64_t, uint64_t> packages;
  std::map<std::pair<uint64_t, uint64_t>, uint64_t> cores;
  for (const std::string& cpu : GlobDigitSuffix(JoinPath(sysfs, "devices/system/cpu"), "cpu")) {
    std::optional<uint64_t> package = ReadUint(JoinPath(cpu, "topology/physical_package_id"));
    if (!package) continue;
    std::optional<uint64_t> core = ReadUint(JoinPath(cpu, "topology/core_id"));
    if (!core) continue;
    // Read once per core and per package; a failed read is retried on the next sibling.
    if (!cores.contains({*package, *core})) {
      if (auto n = ReadUint(JoinPath(cpu, "thermal_throttle/core_throttle_count"))) {
        cores[{*package, *core}] = *n;
      }
    }
    if (!packages.contains(*package)) {
      if (auto n = ReadUint(JoinPath(cpu, "thermal_throttle/package_throttle_count"))) {
        packages[*package] = *n;
      }
    }
  }
  sink.Family("node_cpu_package_throttles_total", MetricType::kCounter,
              "Number of times this CPU package has been throttled.");
  sink.Family("node_cpu_core_throttles_total", MetricType::kCounter,
              "Number of times this CPU core has been throttled.");
  for (const auto& [package, n] : packages) {
    sink.Add("node_cpu_package_throttles_total", {{"package", std::to_string(package)}},
             static_cast<double>(n));
  }
  for (const auto& [key, n] : cores) {
    sink.Add("node_cpu_core_throttles_total",
             {{"package", std::to_string(key.first)}, {"core", std::to_string(key.second)}},
             static_cast<double>(n));
  }
}

}  // namespace tocsin::system
