// Relabeler: Prometheus's relabel_config semantics (write_relabel_configs) over tocsin Labels.
//
// Actions: replace, keep, drop, keepequal, dropequal, hashmod, labelmap, labeldrop, labelkeep,
// lowercase, uppercase, with Prometheus's defaults (separator ";", regex "(.*)" anchored,
// replacement "$1"). Immutable after Compile; Apply is thread-safe.
#pragma once

#include <optional>
#include <vector>

#include "agent/config/remote_write_config.h"
#include "agent/core/labels.h"
#include "agent/core/regex.h"
#include "agent/core/status.h"

namespace tocsin::remote {

class Relabeler {
 public:
  static Result<Relabeler> Compile(const std::vector<RelabelConfig>& configs);
  // The relabelled set, or nullopt when a rule drops the series (or no labels remain).
  std::optional<Labels> Apply(const Labels& labels) const;
  bool empty() const { return steps_.empty(); }

 private:
  struct Step {
    RelabelConfig config;
    Regex regex;
  };
  std::vector<Step> steps_;
};

}  // namespace tocsin::remote
