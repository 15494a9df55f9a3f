#include "collectors/system/cpu_stat.h"

#include <array>
#include <string>

#include "collectors/system/proc_file.h"

namespace tocsin::system {
namespace {

// Column order of a "cpuN" line after the name.
constexpr std::array<std::string_view, 8> kModes = {"user",   "nice", "system",  "idle",
                                                    "iowait", "irq",  "softirq", "steal"};
constexpr std::array<std::string_view, 2> kGuestModes = {"user", "nice"};

bool IsDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

Status ParseCpuStat(std::string_view text, double user_hz, SampleSink& sink) {
  if (!(user_hz > 0)) return InvalidArgument("invalid USER_HZ");
  sink.Family("node_cpu_seconds_total", MetricType::kCounter,
              "Seconds the CPUs spent in each mode.");
  sink.Family("node_cpu_guest_seconds_total", MetricType::kCounter,
              "Seconds the CPUs spent in guests (VMs) for each mode.");
  std::string_view line;
  size_t cpus = 0;
  while (NextLine(text, line)) {
    std::string_view rest = line;
    std::string_view name;
    if (!NextField(rest, name) || !name.starts_with("cpu")) continue;
    std::string_view id = name.substr(3);
    if (id.empty()) continue;  // the aggregate "cpu" line
    if (!IsDigits(id)) return InvalidArgument("stat: bad cpu line: " + std::string(name));
    std::array<double, 10> v{};
    size_t n = 0;
    std::string_view field;
    while (n < v.size() && NextField(rest, field)) {
      auto ticks = ParseUint64(field);
      if (!ticks) return InvalidArgument("stat: bad value in line " + std::string(name));
      v[n++] = static_cast<double>(*ticks) / user_hz;
    }
    // Kernels since 2.6.33 print all ten columns; older ones at least four.
    if (n < 4) return InvalidArgument("stat: too few columns for " + std::string(name));
    std::string cpu(id);
    for (size_t i = 0; i < kModes.size() && i < n; ++i) {
      sink.Add("node_cpu_seconds_total", {{"cpu", cpu}, {"mode", std::string(kModes[i])}}, v[i]);
    }
    for (size_t i = 0; i < kGuestModes.size() && 8 + i < n; ++i) {
      sink.Add("node_cpu_guest_seconds_total",
               {{"cpu", cpu}, {"mode", std::string(kGuestModes[i])}}, v[8 + i]);
    }
    ++cpus;
  }
  if (cpus == 0) return InvalidArgument("stat: no cpu lines");
  return Status::Ok();
}

Status ParseKernelStat(std::string_view text, SampleSink& sink) {
  struct Item {
    std::string_view key;
    std::string_view metric;
    MetricType type;
    std::string_view help;
    bool seen = false;
  };
  std::array<Item, 6> items = {{
      {"btime", "node_boot_time_seconds", MetricType::kGauge, "Node boot time, in unixtime."},
      {"ctxt", "node_context_switches_total", MetricType::kCounter,
       "Total number of context switches."},
      {"intr", "node_intr_total", MetricType::kCounter, "Total number of interrupts serviced."},
      {"processes", "node_forks_total", MetricType::kCounter, "Total number of forks."},
      {"procs_running", "node_procs_running", MetricType::kGauge,
       "Number of processes in runnable state."},
      {"procs_blocked", "node_procs_blocked", MetricType::kGauge,
       "Number of processes blocked waiting for I/O to complete."},
  }};
  std::string_view line;
  while (NextLine(text, line)) {
    std::string_view rest = line;
    std::string_view key;
    if (!NextField(rest, key)) continue;
    for (Item& item : items) {
      if (item.key != key) continue;
      std::string_view field;
      std::optional<uint64_t> v;
      if (NextField(rest, field)) v = ParseUint64(field);
      if (!v) return InvalidArgument("stat: bad value for " + std::string(key));
      if (item.seen) return InvalidArgument("stat: duplicate line " + std::string(key));
      item.seen = true;
      sink.Family(item.metric, item.type, item.help);
      sink.Add(item.metric, static_cast<double>(*v));
    }
  }
  for (const Item& item : items) {
    if (!item.seen) return InvalidArgument("stat: missing line " + std::string(item.key));
  }
  return Status::Ok();
}

}  // namespace tocsin::system
