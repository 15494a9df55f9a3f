#include "collectors/system/meminfo.h"

#include <string>

#include "agent/core/labels.h"
#include "collectors/system/proc_file.h"

namespace tocsin::system {
namespace {

struct Entry {
  std::string_view key;
  double value = 0;
  bool bytes = false;
};

// Parses "Key:   123 kB"; false when the line is malformed.
bool ParseLine(std::string_view line, Entry& e) {
  size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  e.key = line.substr(0, colon);
  std::string_view rest = line.substr(colon + 1);
  std::string_view num;
  std::string_view unit;
  std::string_view extra;
  if (!NextField(rest, num)) return false;
  auto v = ParseUint64(num);
  if (!v) return false;
  e.value = static_cast<double>(*v);
  e.bytes = false;
  if (NextField(rest, unit)) {
    if (unit != "kB") return false;
    e.bytes = true;
    e.value *= 1024;
  }
  return !NextField(rest, extra);
}

}  // namespace

Status ParseMeminfo(std::string_view text, SampleSink& sink) {
  std::string_view line;
  std::string name;
  size_t n = 0;
  while (NextLine(text, line)) {
    if (Trim(line).empty()) continue;
    Entry e;
    if (!ParseLine(line, e)) {
      return InvalidArgument("meminfo: malformed line \"" + std::string(line.substr(0, 80)) + "\"");
    }
    name.assign("node_memory_");
    for (char c : e.key) {
      if (c == '(') {
        name += '_';
      } else if (c != ')') {
        name += c;
      }
    }
    if (e.bytes) name += "_bytes";
    if (!IsValidMetricName(name)) {
      return InvalidArgument("meminfo: unusable field name \"" + std::string(e.key) + "\"");
    }
    sink.Family(
        name, MetricType::kGauge,
        "Memory information field " + name.substr(std::string_view("node_memory_").size()) + ".");
    sink.Add(name, e.value);
    ++n;
  }
  if (n == 0) return InvalidArgument("meminfo: empty");
  return Status::Ok();
}

std::optional<double> MeminfoField(std::string_view text, std::string_view key) {
  std::string_view line;
  while (NextLine(text, line)) {
    Entry e;
    if (ParseLine(line, e) && e.key == key) return e.value;
  }
  return std::nullopt;
}

}  // namespace tocsin::system
