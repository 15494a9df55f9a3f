#include "collectors/system/schedstat.h"

#include <array>
#include <string>
#include <vector>

#include "collectors/system/go_strconv.h"
#include "collectors/system/proc_file.h"

namespace tocsin::system {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Matches `cpu(\d+)( (\d+)){9}` at `pos`; fills the ten digit runs (cpu number first).
bool MatchAt(std::string_view line, size_t pos, std::array<std::string_view, 10>& groups) {
  if (line.substr(pos, 3) != "cpu") return false;
  size_t i = pos + 3;
  for (size_t g = 0; g < groups.size(); ++g) {
    if (g > 0) {
      if (i >= line.size() || line[i] != ' ') return false;
      ++i;
    }
    size_t start = i;
    while (i < line.size() && IsDigit(line[i])) ++i;
    if (i == start) return false;
    groups[g] = line.substr(start, i - start);
  }
  return true;
}

}  // namespace

Status ParseSchedstat(std::string_view text, SampleSink& sink) {
  struct Cpu {
    std::string num;
    uint64_t running, waiting, slices;
  };
  std::vector<Cpu> cpus;
  std::string_view line;
  std::array<std::string_view, 10> g;
  while (NextLine(text, line)) {
    // The leftmost match, as FindStringSubmatch.
    bool matched = false;
    for (size_t pos = line.find("cpu"); pos != std::string_view::npos;
         pos = line.find("cpu", pos + 1)) {
      if (MatchAt(line, pos, g)) {
        matched = true;
        break;
      }
    }
    if (!matched) continue;
    std::optional<uint64_t> running = GoParseUint(g[7], 10);
    std::optional<uint64_t> waiting = GoParseUint(g[8], 10);
    std::optional<uint64_t> slices = GoParseUint(g[9], 10);
    if (!running || !waiting || !slices) continue;
    cpus.push_back(Cpu{std::string(g[0]), *running, *waiting, *slices});
  }
  sink.Family("node_schedstat_running_seconds_total", MetricType::kCounter,
              "Number of seconds CPU spent running a process.");
  sink.Family("node_schedstat_waiting_seconds_total", MetricType::kCounter,
              "Number of seconds spent by processing waiting for this CPU.");
  sink.Family("node_schedstat_timeslices_total", MetricType::kCounter,
              "Number of timeslices executed by CPU.");
  for (const Cpu& c : cpus) {
    sink.Add("node_schedstat_running_seconds_total", {{"cpu", c.num}},
             static_cast<double>(c.running) / 1e9);
    sink.Add("node_schedstat_waiting_seconds_total", {{"cpu", c.num}},
             static_cast<double>(c.waiting) / 1e9);
    sink.Add("node_schedstat_timeslices_total", {{"cpu", c.num}}, static_cast<double>(c.slices));
  }
  return Status::Ok();
}

}  // namespace tocsin::system
