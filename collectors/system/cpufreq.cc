#include "collectors/system/cpufreq.h"

#include <array>
#include <cerrno>
#include <optional>
#include <vector>

#include "collectors/system/proc_file.h"
#include "collectors/system/sysfs_file.h"

namespace tocsin::system {
namespace {

// parseCpufreqCpuinfo's uintFiles, in its order.
constexpr std::array<std::string_view, 7> kUintFiles = {
    "cpuinfo_cur_freq", "cpuinfo_max_freq", "cpuinfo_min_freq", "cpuinfo_transition_latency",
    "scaling_cur_freq", "scaling_max_freq", "scaling_min_freq"};
constexpr std::array<std::string_view, 5> kStringFiles = {"scaling_available_governors",
                                                          "scaling_driver", "scaling_governor",
                                                          "related_cpus", "scaling_setspeed"};

struct Series {
  size_t file;  // index into kUintFiles
  std::string_view name;
  std::string_view help;
};
// In node_exporter's emission order.
constexpr std::array<Series, 6> kSeries = {{
    {0, "node_cpu_frequency_hertz", "Current cpu thread frequency in hertz."},
    {2, "node_cpu_frequency_min_hertz", "Minimum cpu thread frequency in hertz."},
    {1, "node_cpu_frequency_max_hertz", "Maximum cpu thread frequency in hertz."},
    {4, "node_cpu_scaling_frequency_hertz", "Current scaled CPU thread frequency in hertz."},
    {6, "node_cpu_scaling_frequency_min_hertz", "Minimum scaled CPU thread frequency in hertz."},
    {5, "node_cpu_scaling_frequency_max_hertz", "Maximum scaled CPU thread frequency in hertz."},
}};

struct Cpu {
  std::string name;
  std::array<std::optional<uint64_t>, kUintFiles.size()> values;
};

Status ParseCpu(const std::string& dir, Cpu& cpu) {
  for (size_t i = 0; i < kUintFiles.size(); ++i) {
    const std::string path = JoinPath(dir, kUintFiles[i]);
    SysFileRead r = ReadWhole(path);
    if (!r.ok()) {
      if (r.not_exist() || r.permission()) continue;
      return r.ToStatus(path);
    }
    cpu.values[i] = ParseUintFile(r.text);
    if (!cpu.values[i]) return InvalidArgument("cpufreq: bad value in " + path);
  }
  for (std::string_view file : kStringFiles) {
    const std::string path = JoinPath(dir, file);
    SysFileRead r = SysRead(path);
    if (!r.ok()) return r.ToStatus(path);
  }
  return Status::Ok();
}

}  // namespace

Status ReadCpufreq(const std::string& sysfs, SampleSink& sink) {
  std::vector<Cpu> cpus;
  for (const std::string& dir : GlobDigitSuffix(JoinPath(sysfs, "devices/system/cpu"), "cpu")) {
    const std::string cpufreq = JoinPath(dir, "cpufreq");
    int err = StatErrno(cpufreq);
    if (err == ENOENT) continue;
    if (err != 0) {
      SysFileRead r;
      r.err = err;
      r.at_open = true;
      return r.ToStatus(cpufreq);
    }
    Cpu cpu;
    cpu.name = dir.substr(dir.rfind('/') + 1 + 3);
    Status st = ParseCpu(cpufreq, cpu);
    if (!st.ok()) return st;
    cpus.push_back(std::move(cpu));
  }
  for (const Series& s : kSeries) sink.Family(s.name, MetricType::kGauge, s.help);
  for (const Cpu& cpu : cpus) {
    for (const Series& s : kSeries) {
      if (!cpu.values[s.file]) continue;
      sink.Add(s.name, {{"cpu", cpu.name}}, static_cast<double>(*cpu.values[s.file]) * 1000.0);
    }
  }
  return Status::Ok();
}

}  // namespace tocsin::system
