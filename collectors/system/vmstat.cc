#include "collectors/system/vmstat.h"

#include <string>

#include "collectors/system/proc_file.h"

namespace tocsin::system {
namespace {

// A metric name may only hold [a-zA-Z0-9_:]; vmstat keys are [a-z0-9_] on every kernel, but a
// key outside that set would make an invalid series name.
bool IsValidNameTail(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == ':';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

Status ParseVmstat(std::string_view text, const Regex& fields, SampleSink& sink) {
  std::string_view line;
  while (NextLine(text, line)) {
    std::string_view rest = line;
    std::string_view key;
    std::string_view value;
    if (!NextField(rest, key)) continue;  // blank line
    if (!NextField(rest, value)) {
      return InvalidArgument("vmstat: line without value: \"" + std::string(key) + "\"");
    }
    // node_exporter parses the value before filtering: any bad line fails the collector.
    std::optional<double> v = ParseDouble(value);
    if (!v) return InvalidArgument("vmstat: bad value for " + std::string(key));
    if (!fields.Matches(key)) continue;
    if (!IsValidNameTail(key)) return InvalidArgument("vmstat: bad field name");
    std::string name = "node_vmstat_" + std::string(key);
    sink.Family(name, MetricType::kUnknown,
                "/proc/vmstat information field " + std::string(key) + ".");
    sink.Add(name, *v);
  }
  return Status::Ok();
}

}  // namespace tocsin::system
