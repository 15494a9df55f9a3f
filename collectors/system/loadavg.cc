#include "collectors/system/loadavg.h"

#include <array>

#include "collectors/system/proc_file.h"

namespace tocsin::system {

Status ParseLoadavg(std::string_view text, SampleSink& sink) {
  static constexpr std::array<std::string_view, 3> kNames = {"node_load1", "node_load5",
                                                             "node_load15"};
  static constexpr std::array<std::string_view, 3> kHelp = {"1m load average.", "5m load average.",
                                                            "15m load average."};
  std::string_view line;
  if (!NextLine(text, line)) return InvalidArgument("loadavg: empty");
  std::array<double, 3> v{};
  for (size_t i = 0; i < v.size(); ++i) {
    std::string_view field;
    std::optional<double> d;
    if (NextField(line, field)) d = ParseDouble(field);
    if (!d || *d < 0) return InvalidArgument("loadavg: malformed");
    v[i] = *d;
  }
  for (size_t i = 0; i < v.size(); ++i) {
    sink.Family(kNames[i], MetricType::kGauge, kHelp[i]);
    sink.Add(kNames[i], v[i]);
  }
  return Status::Ok();
}

}  // namespace tocsin::system
