#include "rules/retention_check.h"

#include "agent/core/duration.h"
#include "agent/promql/lookback.h"
#include "rules/template/lexer.h"

namespace tocsin::rules {

std::chrono::milliseconds RuleLookback(std::chrono::milliseconds query_offset,
                                       const RuleSpec& rule) {
  if (rule.expr == nullptr) return std::chrono::milliseconds(0);
  return std::chrono::milliseconds(promql::LookbackMs(*rule.expr, kLookbackDelta.count())) +
         query_offset;
}

std::vector<RetentionFinding> RulesReadingPastRetention(const RuleFile& file,
                                                        std::chrono::milliseconds retention) {
  std::vector<RetentionFinding> out;
  if (retention.count() <= 0) return out;
  for (const GroupSpec& g : file.groups) {
    for (const RuleSpec& r : g.rules) {
      auto lookback = RuleLookback(g.query_offset.value_or(std::chrono::milliseconds(0)), r);
      if (lookback > retention) out.push_back({file.source, g.name, r.name, lookback});
    }
  }
  return out;
}

std::string FormatRetentionFinding(const RetentionFinding& f, std::chrono::milliseconds retention) {
  return f.file + ": group " + tmpl::GoQuote(f.group) + ", rule " + tmpl::GoQuote(f.rule) +
         " reads " + FormatDuration(f.lookback) + " back, further than global.retention (" +
         FormatDuration(retention) + "): its result is computed from the retained " +
         FormatDuration(retention) + " only";
}

}  // namespace tocsin::rules
