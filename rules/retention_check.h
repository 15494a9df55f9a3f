// Rules that read further back than the store keeps (global.retention): `increase(x[1d])` on an
// agent that keeps 1h is computed from the last hour only, silently. `check config` prints these
// as warnings, the manager logs them at load, and /api/v1/rules marks the rules.
// Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "rules/rule_file.h"

namespace tocsin::rules {

// Engine's default lookback delta (an instant selector reads up to 5m back).
inline constexpr std::chrono::milliseconds kLookbackDelta{300000};

// How far back before its evaluation time a rule reads: its expression's reach
// (agent/promql/lookback.h) plus the group's query_offset.
std::chrono::milliseconds RuleLookback(std::chrono::milliseconds query_offset,
                                       const RuleSpec& rule);

struct RetentionFinding {
  std::string file;
  std::string group;
  std::string rule;
  std::chrono::milliseconds lookback{0};
};

// Every rule of `file` whose lookback exceeds `retention` (none when retention is 0).
std::vector<RetentionFinding> RulesReadingPastRetention(const RuleFile& file,
                                                        std::chrono::milliseconds retention);

// `<file>: group "g", rule "r" reads 1d back, further than global.retention (1h): its result
// is computed from the retained 1h only`.
std::string FormatRetentionFinding(const RetentionFinding& f, std::chrono::milliseconds retention);

}  // namespace tocsin::rules
