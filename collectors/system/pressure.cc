#include "collectors/system/pressure.h"

#include <array>
#include <cerrno>

namespace tocsin::system {

Status ParsePressureFile(std::string_view text, double& some_seconds, double& full_seconds) {
  some_seconds = -1;
  full_seconds = -1;
  std::string_view line;
  while (NextLine(text, line)) {
    std::string_view rest = line;
    std::string_view kind;
    if (!NextField(rest, kind)) continue;
    double* target = kind == "some" ? &some_seconds : kind == "full" ? &full_seconds : nullptr;
    if (target == nullptr) return InvalidArgument("pressure: unknown line kind");
    std::string_view field;
    bool found = false;
    while (NextField(rest, field)) {
      if (!field.starts_with("total=")) continue;
      auto us = ParseUint64(field.substr(6));
      if (!us) return InvalidArgument("pressure: bad total");
      *target = static_cast<double>(*us) / 1e6;
      found = true;
    }
    if (!found) return InvalidArgument("pressure: line without total");
  }
  if (some_seconds < 0) return InvalidArgument("pressure: no \"some\" line");
  return Status::Ok();
}

Status ReadPressure(const std::string& procfs, ProcFile& file, SampleSink& sink) {
  struct Resource {
    std::string_view file;
    std::string_view waiting;  // from "some"
    std::string_view waiting_help;
    std::string_view stalled;  // from "full"; empty for cpu (node_exporter 1.5 ignores it)
    std::string_view stalled_help;
  };
  static constexpr std::array<Resource, 3> kResources = {{
      {"cpu", "node_pressure_cpu_waiting_seconds_total",
       "Total time in seconds that processes have waited for CPU time", "", ""},
      {"memory", "node_pressure_memory_waiting_seconds_total",
       "Total time in seconds that processes have waited for memory",
       "node_pressure_memory_stalled_seconds_total",
       "Total time in seconds no process could make progress due to memory congestion"},
      {"io", "node_pressure_io_waiting_seconds_total",
       "Total time in seconds that processes have waited due to IO congestion",
       "node_pressure_io_stalled_seconds_total",
       "Total time in seconds no process could make progress due to IO congestion"},
  }};
  for (const Resource& r : kResources) {
    Result<std::string_view> text = file.Read(JoinPath(procfs, "pressure/" + std::string(r.file)));
    if (!text.ok()) {
      // No PSI on this kernel (directory absent, or psi=0: EOPNOTSUPP): skip silently.
      if (text.status().code() == StatusCode::kNotFound || file.last_errno() == EOPNOTSUPP) {
        continue;
      }
      return text.status();
    }
    double some = 0;
    double full = 0;
    Status st = ParsePressureFile(*text, some, full);
    if (!st.ok()) return st.WithContext(r.file);
    sink.Family(r.waiting, MetricType::kCounter, r.waiting_help);
    sink.Add(r.waiting, some);
    if (!r.stalled.empty()) {
      if (full < 0) return InvalidArgument(std::string(r.file) + ": pressure: no \"full\" line");
      sink.Family(r.stalled, MetricType::kCounter, r.stalled_help);
      sink.Add(r.stalled, full);
    }
  }
  return Status::Ok();
}

}  // namespace tocsin::system
