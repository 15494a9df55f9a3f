#include "collectors/system/netstat.h"

#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "agent/core/labels.h"

namespace tocsin::system {
namespace {

// protocol -> field -> raw value, as node_exporter merges the three files (a protocol seen
// again replaces the earlier one).
using NetStats = std::map<std::string, std::map<std::string, std::string>, std::less<>>;

// Splits on single spaces, as strings.Split(line, " ") does (empty fields kept).
void SplitSpaces(std::string_view line, std::vector<std::string_view>& out) {
  out.clear();
  while (true) {
    size_t sp = line.find(' ');
    out.push_back(line.substr(0, sp));
    if (sp == std::string_view::npos) return;
    line.remove_prefix(sp + 1);
  }
}

// /proc/net/netstat and /proc/net/snmp: pairs of "Proto: Name1 Name2 ..." and
// "Proto: v1 v2 ..." lines.
Status ParseHeaderValuePairs(std::string_view text, std::string_view file, NetStats& out) {
  std::string_view names_line;
  std::string_view values_line;
  std::vector<std::string_view> names;
  std::vector<std::string_view> values;
  while (NextLine(text, names_line)) {
    if (!NextLine(text, values_line)) values_line = {};
    SplitSpaces(names_line, names);
    SplitSpaces(values_line, values);
    std::string_view proto = names[0];
    if (proto.size() < 2 || proto.back() != ':') {
      return InvalidArgument(std::string(file) + ": malformed header line \"" +
                             std::string(names_line.substr(0, 80)) + "\"");
    }
    proto.remove_suffix(1);
    if (names.size() != values.size()) {
      return InvalidArgument(std::string(file) + ": field count mismatch for " +
                             std::string(proto));
    }
    if (values[0] != names[0]) {
      return InvalidArgument(std::string(file) + ": value line does not follow header for " +
                             std::string(proto));
    }
    auto& fields = out[std::string(proto)];
    fields.clear();
    for (size_t i = 1; i < names.size(); ++i) {
      fields[std::string(names[i])] = std::string(values[i]);
    }
  }
  return Status::Ok();
}

// /proc/net/snmp6: "Ip6InReceives  123" lines; the protocol runs up to the first '6'.
void ParseSnmp6(std::string_view text, NetStats& out) {
  std::string_view line;
  while (NextLine(text, line)) {
    std::string_view key;
    std::string_view value;
    if (!NextField(line, key) || !NextField(line, value)) continue;
    size_t six = key.find('6');
    if (six == std::string_view::npos) continue;
    out[std::string(key.substr(0, six + 1))][std::string(key.substr(six + 1))] = std::string(value);
  }
}

}  // namespace

Status ParseNetstat(std::string_view netstat, std::string_view snmp, const std::string* snmp6,
                    const Regex& fields, SampleSink& sink) {
  NetStats stats;
  Status st = ParseHeaderValuePairs(netstat, "net/netstat", stats);
  if (!st.ok()) return st;
  NetStats snmp_stats;
  st = ParseHeaderValuePairs(snmp, "net/snmp", snmp_stats);
  if (!st.ok()) return st;
  NetStats snmp6_stats;
  if (snmp6 != nullptr) ParseSnmp6(*snmp6, snmp6_stats);
  for (auto& [proto, values] : snmp_stats) stats[proto] = std::move(values);
  for (auto& [proto, values] : snmp6_stats) stats[proto] = std::move(values);

  std::string key;
  std::string name;
  for (const auto& [proto, values] : stats) {
    for (const auto& [field, raw] : values) {
      std::string_view number = raw;
      if (number.starts_with('+')) number.remove_prefix(1);
      std::optional<double> v = ParseDouble(number);
      if (!v) {
        return InvalidArgument("netstat: invalid value \"" + raw.substr(0, 40) + "\" for " + proto +
                               field);
      }
      key.assign(proto).append("_").append(field);
      if (!fields.Matches(key)) continue;
      name.assign("node_netstat_").append(key);
      if (!IsValidMetricName(name)) {
        return InvalidArgument("netstat: unusable field name \"" + key + "\"");
      }
      sink.Family(name, MetricType::kUnknown, "Statistic " + proto + field + ".");
      sink.Add(name, *v);
    }
  }
  return Status::Ok();
}

Status ReadNetstat(const std::string& procfs, ProcFile& file, const Regex& fields,
                   SampleSink& sink) {
  Result<std::string_view> text = file.Read(JoinPath(procfs, "net/netstat"));
  if (!text.ok()) return text.status();
  std::string netstat(*text);
  text = file.Read(JoinPath(procfs, "net/snmp"));
  if (!text.ok()) return text.status();
  std::string snmp(*text);
  std::string snmp6;
  bool have_snmp6 = false;
  text = file.Read(JoinPath(procfs, "net/snmp6"));
  if (text.ok()) {
    snmp6.assign(*text);
    have_snmp6 = true;
  } else if (text.status().code() != StatusCode::kNotFound) {
    return text.status();
  }
  return ParseNetstat(netstat, snmp, have_snmp6 ? &snmp6 : nullptr, fields, sink);
}

}  // namespace tocsin::system
