#include "collectors/scylla/scylla_metrics.h"

#include <set>

#include "collectors/scrape/text_parser.h"

namespace tocsin::scylla {
namespace {

// The family a sample belongs to: the current TYPE/HELP family when the name extends it with
// a histogram/summary/counter suffix, else the name itself.
std::string_view FamilyOf(std::string_view name, std::string_view current) {
  if (!current.empty() && name.starts_with(current)) {
    std::string_view rest = name.substr(current.size());
    if (rest.empty() || rest == "_bucket" || rest == "_sum" || rest == "_count" ||
        rest == "_total" || rest == "_created") {
      return current;
    }
  }
  return name;
}

}  // namespace

const std::vector<std::string>& DefaultMetricFamilies() {
  static const std::vector<std::string> kFamilies = {
      // Row cache (hit rate panels, scylla_column_family_cache_hit_rate).
      "scylla_cache_.*",
      "scylla_column_family_cache_hit_rate",
      // Coordinator latencies, timeouts, unavailables, queue lengths.
      "scylla_storage_proxy_coordinator_.*",
      // Reactor utilization and I/O errors (nodeIOErrors, aioRetries).
      "scylla_reactor_(utilization|aio_errors|aio_retries|aio_reads|aio_writes|cpu_busy_ms)",
      // Compaction manager (pending/active compactions, backlog); heavyCompaction.
      "scylla_compaction_manager_.*",
      "scylla_scheduler_shares",
      // CQL transport (requests served/serving/shed, connections) and CQL statement mix.
      "scylla_transport_.*",
      "scylla_cql_.*",
      "scylla_query_processor_(queries|statements_prepared)",
      // Node state: operation mode, gossip, restarts.
      "scylla_node_operation_mode",
      "scylla_gossip_(live|unreachable|heart_beat)",
      // Database read/write totals, failures, queues.
      "scylla_database_(total_reads|total_writes|total_reads_failed|total_writes_failed|"
      "total_writes_timedout|total_reads_rate_limited|total_writes_rate_limited|active_reads|"
      "queued_reads|requests_blocked_memory_current)",
      "scylla_commitlog_pending_allocations",
      // bloomFilterSize, cappedTombstone, memory.
      "scylla_sstables_bloom_filter_memory_size",
      "scylla_sstables_capped_tombstone_deletion_time",
      "scylla_memory_(total_memory|allocated_memory|free_memory)",
      "scylla_scylladb_current_version",
  };
  return kFamilies;
}

Result<FamilyFilter> FamilyFilter::Compile(const std::vector<std::string>& patterns) {
  FamilyFilter f;
  for (const std::string& p : patterns) {
    Result<Regex> re = Regex::Compile(p, Regex::Anchoring::kFull);
    if (!re.ok()) return re.status().WithContext("metric_families \"" + p + "\"");
    f.patterns_.push_back(std::move(re).value());
  }
  return f;
}

bool FamilyFilter::Allows(std::string_view family) {
  auto it = cache_.find(std::string(family));
  if (it != cache_.end()) return it->second;
  bool ok = false;
  for (const Regex& re : patterns_) {
    if (re.Matches(family)) {
      ok = true;
      break;
    }
  }
  // Bounded: a hostile endpoint inventing names must not grow the cache without limit.
  if (cache_.size() < 100000) cache_.emplace(std::string(family), ok);
  return ok;
}

Status PassThrough(std::string_view body, FamilyFilter& filter,
                   const std::vector<Label>& base_labels, Appender& out, PassThroughStats& stats) {
  TextParser parser(body, TextFormat::kPrometheus);
  std::string current;  // family of the last HELP/TYPE line
  bool current_allowed = false;
  Metadata pending;  // metadata of `current`, registered when its first sample passes
  bool pending_set = false;
  std::set<std::string, std::less<>> registered;
  std::vector<Label> pairs;
  for (;;) {
    TextEntry e = parser.Next();
    if (e == TextEntry::kEnd) break;
    if (e == TextEntry::kError) {
      if (stats.parse_errors++ == 0) {
        stats.first_error = "line " + std::to_string(parser.line_number()) + ": " + parser.error();
      }
      continue;
    }
    if (e == TextEntry::kHelp || e == TextEntry::kType) {
      if (parser.family() != current) {
        current = std::string(parser.family());
        current_allowed = filter.Allows(current);
        pending = Metadata{};
        pending_set = false;
      }
      if (e == TextEntry::kHelp) pending.help = std::string(parser.help());
      if (e == TextEntry::kType) pending.type = parser.type();
      pending_set = true;
      continue;
    }
    if (e != TextEntry::kSeries) continue;
    ++stats.samples_seen;
    std::string_view name = parser.metric_name();
    std::string_view family = FamilyOf(name, current);
    bool allowed = family == current ? current_allowed : filter.Allows(family);
    if (!allowed) continue;
    if (family == current && pending_set && registered.insert(current).second) {
      out.SetMetadata(current, pending);
    }
    pairs.clear();
    pairs.push_back(Label{std::string(kMetricNameLabel), std::string(name)});
    for (const ParsedLabel& l : parser.labels()) {
      bool collides = false;
      for (const Label& b : base_labels) collides = collides || b.name == l.name;
      pairs.push_back(Label{collides ? "exported_" + std::string(l.name) : std::string(l.name),
                            std::string(l.value)});
    }
    for (const Label& b : base_labels) pairs.push_back(b);
    Status st = out.Add(Labels::FromUnsorted(pairs), parser.value());
    if (!st.ok()) return st;
    ++stats.samples_added;
  }
  return Status::Ok();
}

}  // namespace tocsin::scylla
