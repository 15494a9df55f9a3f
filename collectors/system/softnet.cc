#include "collectors/system/softnet.h"

#include <array>
#include <string>

#include "collectors/system/go_strconv.h"
#include "collectors/system/proc_file.h"

namespace tocsin::system {

Status ParseSoftnet(std::string_view text, SampleSink& sink) {
  static constexpr size_t kMinColumns = 9;
  static constexpr std::array<std::string_view, 3> kNames = {"node_softnet_processed_total",
                                                             "node_softnet_dropped_total",
                                                             "node_softnet_times_squeezed_total"};
  static constexpr std::array<std::string_view, 3> kHelp = {
      "Number of processed packets", "Number of dropped packets",
      "Number of times processing packets ran out of quota"};
  for (size_t i = 0; i < kNames.size(); ++i) {
    sink.Family(kNames[i], MetricType::kCounter, kHelp[i]);
  }
  std::string_view line;
  size_t cpu = 0;
  while (NextLine(text, line)) {
    std::array<double, 3> values{};
    size_t columns = 0;
    std::string_view field;
    std::string_view rest = line;
    while (NextField(rest, field)) {
      if (columns < values.size()) {
        std::optional<uint64_t> v = GoParseUint(field, 16, 32);
        if (!v) {
          return InvalidArgument("net/softnet_stat: bad value \"" +
                                 std::string(field.substr(0, 20)) + "\" on line " +
                                 std::to_string(cpu + 1));
        }
        values[columns] = static_cast<double>(*v);
      }
      ++columns;
    }
    if (columns < kMinColumns) {
      return InvalidArgument("net/softnet_stat: " + std::to_string(columns) + " columns on line " +
                             std::to_string(cpu + 1) + ", at least " + std::to_string(kMinColumns) +
                             " expected");
    }
    std::string cpu_label = std::to_string(cpu++);
    for (size_t i = 0; i < kNames.size(); ++i) {
      sink.Add(kNames[i], {{"cpu", cpu_label}}, values[i]);
    }
  }
  return Status::Ok();
}

}  // namespace tocsin::system
