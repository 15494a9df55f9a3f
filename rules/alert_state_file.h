// Alert state persistence: the alert instances of one rule group (per rule: labels, state,
// value, active/fired/resolved/last-sent/valid-until/keep-firing-since) saved under
// <state_dir>/rules/<hash of file;group>.json with crash-safe writes (write to a temp file,
// fsync it, rename over the old file, fsync the directory), so a kill -9 at any point leaves
// either the old or the new complete file.
//
// A file that cannot be read or parsed is reported and renamed aside (".corrupt-<ms>"), never
// fatal. AlertStateDir is not synchronised: each group's runner writes only its own file;
// LoadAll runs once before the runners start.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "agent/core/clock.h"
#include "agent/core/status.h"
#include "rules/alert.h"

namespace tocsin::rules {

struct PersistedRuleAlerts {
  std::string rule;    // alerting rule name
  Labels rule_labels;  // the rule's own (unexpanded) labels, to tell same-named rules apart
  std::vector<Alert> alerts;
};

struct PersistedGroup {
  std::string file;
  std::string group;
  TimestampMs saved_at = 0;  // evaluation time of the state (Prometheus's "downAt")
  std::vector<PersistedRuleAlerts> rules;
};

std::string EncodeGroupState(const PersistedGroup& g);
Result<PersistedGroup> DecodeGroupState(std::string_view text);

class AlertStateDir {
 public:
  // `dir` is created on first save; empty disables persistence.
  explicit AlertStateDir(std::string dir) : dir_(std::move(dir)) {}

  bool enabled() const { return !dir_.empty(); }

  struct LoadResult {
    std::map<std::pair<std::string, std::string>, PersistedGroup> groups;  // (file, group)
    std::vector<std::string> errors;                                       // one per file set aside
  };
  // Reads every saved group; unreadable or corrupt files are renamed aside and reported.
  LoadResult LoadAll(TimestampMs now) const;

  Status Save(const PersistedGroup& g) const;
  // Removes the file of a group that no longer exists.
  void Remove(const std::string& file, const std::string& group) const;
  std::string PathFor(const std::string& file, const std::string& group) const;

 private:
  std::string dir_;
};

}  // namespace tocsin::rules
