#include "collectors/system/system_time.h"

#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string_view>
#include <system_error>
#include <vector>

namespace tocsin::system {
namespace {

// Matches Go's filepath.Match("clocksource[0-9]*", name).
bool IsClocksourceDir(std::string_view name) {
  constexpr std::string_view kPrefix = "clocksource";
  return name.size() > kPrefix.size() && name.starts_with(kPrefix) && name[kPrefix.size()] >= '0' &&
         name[kPrefix.size()] <= '9';
}

}  // namespace

Result<WallTimeInfo> RealWallTime() {
  struct timespec ts {};
  if (::clock_gettime(CLOCK_REALTIME, &ts) != 0) {
    return Internal(std::string("clock_gettime: ") + std::strerror(errno));
  }
  struct tm local {};
  time_t secs = ts.tv_sec;
  if (::localtime_r(&secs, &local) == nullptr) return Internal("localtime_r failed");
  WallTimeInfo info;
  info.seconds = ts.tv_sec;
  info.nanoseconds = ts.tv_nsec;
  info.zone = local.tm_zone != nullptr ? local.tm_zone : "";
  info.utc_offset_seconds = local.tm_gmtoff;
  return info;
}

Status ReadTime(const WallTimeInfo& now, const std::string& sysfs, ProcFile& file,
                SampleSink& sink) {
  sink.Family("node_time_seconds", MetricType::kGauge,
              "System time in seconds since epoch (1970).");
  // As Go: float64(UnixNano()) / 1e9.
  sink.Add("node_time_seconds",
           static_cast<double>(now.seconds * 1'000'000'000 + now.nanoseconds) / 1e9);
  sink.Family("node_time_zone_offset_seconds", MetricType::kGauge,
              "System time zone offset in seconds.");
  sink.Add("node_time_zone_offset_seconds", {{"time_zone", now.zone}},
           static_cast<double>(now.utc_offset_seconds));

  // A missing clocksource directory is no clocksource, not an error (an empty glob in Go).
  std::string dir = JoinPath(sysfs, "devices/system/clocksource");
  std::vector<std::string> names;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (IsClocksourceDir(name)) names.push_back(std::move(name));
  }
  if (ec && ec != std::errc::no_such_file_or_directory) {
    return Internal("time: cannot list " + dir + ": " + ec.message());
  }
  std::sort(names.begin(), names.end());

  sink.Family("node_time_clocksource_available_info", MetricType::kGauge,
              "Available clocksources read from '/sys/devices/system/clocksource'.");
  sink.Family("node_time_clocksource_current_info", MetricType::kGauge,
              "Current clocksource read from '/sys/devices/system/clocksource'.");
  for (size_t i = 0; i < names.size(); ++i) {
    std::string base = dir + "/" + names[i];
    std::string device = std::to_string(i);
    Result<std::string_view> available = file.Read(base + "/available_clocksource");
    if (!available.ok()) return available.status().WithContext("time");
    std::string_view rest = *available;
    std::string_view line;
    std::vector<std::string> sources;
    while (NextLine(rest, line)) {
      std::string_view field;
      while (NextField(line, field)) sources.emplace_back(field);
    }
    Result<std::string_view> current = file.Read(base + "/current_clocksource");
    if (!current.ok()) return current.status().WithContext("time");
    std::string current_name(TrimSpace(*current));
    for (const std::string& cs : sources) {
      sink.Add("node_time_clocksource_available_info", {{"device", device}, {"clocksource", cs}},
               1);
    }
    sink.Add("node_time_clocksource_current_info",
             {{"device", device}, {"clocksource", current_name}}, 1);
  }
  return Status::Ok();
}

}  // namespace tocsin::system
