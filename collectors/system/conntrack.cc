#include "collectors/system/conntrack.h"

#include <array>
#include <optional>

#include "collectors/system/go_strconv.h"

namespace tocsin::system {
namespace {

struct StatColumn {
  size_t column;  // in the 17-column line
  std::string_view name;
  std::string_view help;
};

constexpr std::array<StatColumn, 8> kStatColumns = {{
    {2, "node_nf_conntrack_stat_found", "Number of searched entries which were successful."},
    {4, "node_nf_conntrack_stat_invalid", "Number of packets seen which can not be tracked."},
    {5, "node_nf_conntrack_stat_ignore",
     "Number of packets seen which are already connected to a conntrack entry."},
    {8, "node_nf_conntrack_stat_insert", "Number of entries inserted into the list."},
    {9, "node_nf_conntrack_stat_insert_failed",
     "Number of entries for which list insertion was attempted but failed."},
    {10, "node_nf_conntrack_stat_drop", "Number of packets dropped due to conntrack failure."},
    {11, "node_nf_conntrack_stat_early_drop",
     "Number of dropped conntrack entries to make room for new ones, if maximum table size was "
     "reached."},
    {16, "node_nf_conntrack_stat_search_restart",
     "Number of conntrack table lookups which had to be restarted due to hashtable resizes."},
}};

// readUintFromFile: the whole file, trimmed, as a decimal uint64.
Status ReadUintFile(ProcFile& file, const std::string& path, std::string_view name,
                    std::string_view help, SampleSink& sink) {
  Result<std::string_view> text = file.Read(path);
  if (!text.ok()) return text.status();
  std::optional<uint64_t> v = GoParseUint(GoTrimSpace(*text), 10);
  if (!v) return InvalidArgument(path + ": not an unsigned integer");
  sink.Family(name, MetricType::kGauge, help);
  sink.Add(name, static_cast<double>(*v));
  return Status::Ok();
}

}  // namespace

Status ParseConntrackStat(std::string_view text, SampleSink& sink) {
  static constexpr size_t kColumns = 17;
  std::array<uint64_t, kStatColumns.size()> sums{};
  std::string_view line;
  NextLine(text, line);  // the header ("entries clashres found ...")
  size_t lineno = 1;
  while (NextLine(text, line)) {
    ++lineno;
    std::array<std::string_view, kColumns> fields;
    size_t n = 0;
    std::string_view field;
    while (NextField(line, field)) {
      if (n < kColumns) fields[n] = field;
      ++n;
    }
    if (n != kColumns) {
      return InvalidArgument("net/stat/nf_conntrack: " + std::to_string(n) + " columns on line " +
                             std::to_string(lineno) + ", expected 17");
    }
    // procfs parses the entries column too, so junk there fails as well.
    if (!GoParseUint(fields[0], 16)) {
      return InvalidArgument("net/stat/nf_conntrack: bad value on line " + std::to_string(lineno));
    }
    for (size_t i = 0; i < kStatColumns.size(); ++i) {
      std::optional<uint64_t> v = GoParseUint(fields[kStatColumns[i].column], 16);
      if (!v) {
        return InvalidArgument("net/stat/nf_conntrack: bad value on line " +
                               std::to_string(lineno));
      }
      sums[i] += *v;  // uint64 wrap-around, as Go's
    }
  }
  for (size_t i = 0; i < kStatColumns.size(); ++i) {
    sink.Family(kStatColumns[i].name, MetricType::kGauge, kStatColumns[i].help);
    sink.Add(kStatColumns[i].name, static_cast<double>(sums[i]));
  }
  return Status::Ok();
}

Status ReadConntrack(const std::string& procfs, ProcFile& file, SampleSink& sink) {
  Status st = ReadUintFile(
      file, JoinPath(procfs, "sys/net/netfilter/nf_conntrack_count"), "node_nf_conntrack_entries",
      "Number of currently allocated flow entries for connection tracking.", sink);
  if (!st.ok()) return st;
  st = ReadUintFile(file, JoinPath(procfs, "sys/net/netfilter/nf_conntrack_max"),
                    "node_nf_conntrack_entries_limit", "Maximum size of connection tracking table.",
                    sink);
  if (!st.ok()) return st;
  Result<std::string_view> text = file.Read(JoinPath(procfs, "net/stat/nf_conntrack"));
  if (!text.ok()) return text.status();
  return ParseConntrackStat(*text, sink);
}

}  // namespace tocsin::system
