#include "collectors/system/sockstat.h"

#include <array>
#include <optional>
#include <set>
#include <vector>

#include "agent/core/labels.h"
#include "collectors/system/go_strconv.h"

namespace tocsin::system {
namespace {

// The per-protocol keys node_exporter exports, in its order.
constexpr std::array<std::string_view, 6> kKeys = {"inuse", "orphan", "tw",
                                                   "alloc", "mem",    "memory"};

Status Malformed(std::string_view file, std::string_view line, std::string_view why) {
  return InvalidArgument(std::string(file) + ": " + std::string(why) + " in line \"" +
                         std::string(line.substr(0, 80)) + "\"");
}

void Emit(SampleSink& sink, std::string_view proto, std::string_view key, double value) {
  std::string name = "node_sockstat_" + std::string(proto) + "_" + std::string(key);
  sink.Family(name, MetricType::kGauge,
              "Number of " + std::string(proto) + " sockets in state " + std::string(key) + ".");
  sink.Add(name, value);
}

}  // namespace

Status ParseSockstat(std::string_view text, bool ipv6, int64_t page_size, SampleSink& sink) {
  const std::string_view file = ipv6 ? "net/sockstat6" : "net/sockstat";
  std::string_view line;
  std::vector<std::string_view> fields;
  std::set<std::string, std::less<>> seen;
  while (NextLine(text, line)) {
    // strings.Split(line, " "): single spaces, empty fields kept (and then rejected).
    fields.clear();
    for (std::string_view rest = line;;) {
      size_t sp = rest.find(' ');
      fields.push_back(rest.substr(0, sp));
      if (sp == std::string_view::npos) break;
      rest.remove_prefix(sp + 1);
    }
    if (fields.size() < 3) return Malformed(file, line, "too few fields");
    if (fields.size() % 2 != 1) return Malformed(file, line, "odd number of key/value fields");
    std::array<std::optional<int64_t>, kKeys.size()> values;
    std::optional<int64_t> used;
    for (size_t i = 1; i < fields.size(); i += 2) {
      std::optional<int64_t> v = GoParseInt(fields[i + 1], 0);
      if (!v) return Malformed(file, line, "bad value");
      if (fields[i] == "used") used = *v;
      for (size_t k = 0; k < kKeys.size(); ++k) {
        if (fields[i] == kKeys[k]) values[k] = *v;
      }
    }
    std::string_view proto = fields[0];
    if (proto.ends_with(':')) proto.remove_suffix(1);
    if (proto == "sockets") {
      if (!ipv6) {
        if (!seen.insert("sockets").second) return Malformed(file, line, "duplicate line");
        sink.Family("node_sockstat_sockets_used", MetricType::kGauge,
                    "Number of IPv4 sockets in use.");
        sink.Add("node_sockstat_sockets_used", static_cast<double>(used.value_or(0)));
      }
      continue;
    }
    if (!IsValidMetricName("node_sockstat_" + std::string(proto))) {
      return Malformed(file, line, "unusable protocol name");
    }
    if (!seen.insert(std::string(proto)).second) return Malformed(file, line, "duplicate line");
    // inuse is exported even when the line lacks it (procfs leaves it 0).
    Emit(sink, proto, kKeys[0], static_cast<double>(values[0].value_or(0)));
    for (size_t k = 1; k < kKeys.size(); ++k) {
      if (values[k]) Emit(sink, proto, kKeys[k], static_cast<double>(*values[k]));
    }
    if (values[4]) {
      // Go's int multiplication (wraps on overflow, which no real value reaches).
      auto bytes = static_cast<int64_t>(static_cast<uint64_t>(*values[4]) *
                                        static_cast<uint64_t>(page_size));
      Emit(sink, proto, "mem_bytes", static_cast<double>(bytes));
    }
  }
  return Status::Ok();
}

Status ReadSockstat(const std::string& procfs, ProcFile& file, int64_t page_size,
                    SampleSink& sink) {
  for (bool ipv6 : {false, true}) {
    Result<std::string_view> text =
        file.Read(JoinPath(procfs, ipv6 ? "net/sockstat6" : "net/sockstat"));
    if (!text.ok()) {
      if (text.status().code() == StatusCode::kNotFound) continue;  // that IP version is off
      return text.status();
    }
    Status st = ParseSockstat(*text, ipv6, page_size, sink);
    if (!st.ok()) return st;
  }
  return Status::Ok();
}

}  // namespace tocsin::system
