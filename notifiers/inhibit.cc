#include "notifiers/inhibit.h"

#include "agent/core/matcher_parser.h"

namespace tocsin {

bool Inhibitor::Mutes(const Labels& target, const std::map<uint64_t, Alert>& alerts,
                      TimestampMs now) const {
  for (const InhibitRuleConfig& rule : rules_) {
    if (!MatchesAll(rule.target_matchers, target)) continue;
    bool two_sided = MatchesAll(rule.source_matchers, target);
    for (const auto& [fp, source] : alerts) {
      if (source.Resolved(now)) continue;
      if (!MatchesAll(rule.source_matchers, source.labels)) continue;
      bool equal = true;
      for (const std::string& name : rule.equal) {
        if (source.labels.Get(name) != target.Get(name)) {
          equal = false;
          break;
        }
      }
      if (!equal) continue;
      if (two_sided && MatchesAll(rule.target_matchers, source.labels)) continue;
      return true;
    }
  }
  return false;
}

}  // namespace tocsin
