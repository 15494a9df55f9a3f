// Pass-through of ScyllaDB's own Prometheus metrics (its :9180/metrics endpoint), filtered by
// an allow-list of metric families (docs/metrics.md, "ScyllaDB").
//
// FamilyFilter decides per family name (anchored RE2 patterns; the default list is what
// scylla-monitoring's dashboards and alert rules use) and caches its answers. PassThrough
// parses an exposition body with the scrape collector's TextParser and appends the allowed
// samples under their own names with their own labels (shard, scheduling_group_name, ks, cf,
// ...), plus the instance's configured labels; a Scylla label that collides with a configured
// one is kept as exported_<name>, as Prometheus does without honor_labels.
// FamilyFilter is not thread-safe (one per collector); PassThrough is a pure function.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "agent/core/labels.h"
#include "agent/core/regex.h"
#include "agent/core/status.h"
#include "agent/store/appender.h"

namespace tocsin::scylla {

// The families scylla-monitoring's dashboards and prometheus.rules.yml read.
const std::vector<std::string>& DefaultMetricFamilies();

class FamilyFilter {
 public:
  // Patterns are anchored RE2; an invalid one is an InvalidArgument naming it.
  static Result<FamilyFilter> Compile(const std::vector<std::string>& patterns);
  // Whether samples of `family` pass.
  bool Allows(std::string_view family);

 private:
  std::vector<Regex> patterns_;
  std::unordered_map<std::string, bool> cache_;
};

struct PassThroughStats {
  size_t samples_seen = 0;
  size_t samples_added = 0;
  size_t parse_errors = 0;
  std::string first_error;  // "line N: message"
};

// Appends the allowed samples of `body` (Prometheus text 0.0.4). Returns the first Appender
// error; parse errors are counted in `stats`, not fatal.
Status PassThrough(std::string_view body, FamilyFilter& filter,
                   const std::vector<Label>& base_labels, Appender& out, PassThroughStats& stats);

}  // namespace tocsin::scylla
