#include "collectors/system/arp.h"

#include <map>
#include <string>

#include "collectors/system/proc_file.h"

namespace tocsin::system {

Status ParseArp(std::string_view text, const Regex* include, const Regex* exclude,
                SampleSink& sink) {
  static constexpr size_t kMinColumns = 6;
  std::map<std::string, double, std::less<>> entries;
  std::string_view line;
  size_t lineno = 0;
  while (NextLine(text, line)) {
    ++lineno;
    std::string_view rest = line;
    std::string_view field;
    std::string_view first;
    std::string_view last;
    size_t columns = 0;
    while (NextField(rest, field)) {
      if (columns++ == 0) first = field;
      last = field;
    }
    if (columns < kMinColumns) {
      return InvalidArgument("net/arp: unexpected ARP table format on line " +
                             std::to_string(lineno));
    }
    if (first == "IP") continue;  // "IP address  HW type  Flags ..."
    auto it = entries.find(last);
    if (it == entries.end()) it = entries.emplace(std::string(last), 0).first;
    it->second += 1;
  }
  sink.Family("node_arp_entries", MetricType::kGauge, "ARP entries by device");
  for (const auto& [device, count] : entries) {
    if (exclude != nullptr && exclude->Matches(device)) continue;
    if (include != nullptr && !include->Matches(device)) continue;
    sink.Add("node_arp_entries", {{"device", device}}, count);
  }
  return Status::Ok();
}

}  // namespace tocsin::system
