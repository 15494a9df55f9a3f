#include "rules/recording_rule.h"

#include <algorithm>

namespace tocsin::rules {

Result<std::vector<OutputSample>> RecordingRule::Eval(const promql::Vector& result, TimestampMs ts,
                                                      int64_t limit) {
  std::vector<OutputSample> out;
  out.reserve(result.size());
  for (const auto& s : result) {
    LabelsBuilder lb(s.labels);
    lb.Set(kMetricNameLabel, spec_.name);
    for (const auto& l : spec_.labels) lb.Set(l.name, l.text);
    out.push_back({lb.Build(), ts, s.v, s.h});
  }
  if (out.size() > 1) {
    std::vector<const Labels*> sorted;
    sorted.reserve(out.size());
    for (const auto& o : out) sorted.push_back(&o.labels);
    std::sort(sorted.begin(), sorted.end(),
              [](const Labels* a, const Labels* b) { return *a < *b; });
    for (size_t i = 1; i < sorted.size(); ++i) {
      if (*sorted[i] == *sorted[i - 1]) {
        return InvalidArgument(
            "vector contains metrics with the same labelset after applying rule labels");
      }
    }
  }
  if (limit > 0 && static_cast<int64_t>(out.size()) > limit) {
    return InvalidArgument("exceeded limit of " + std::to_string(limit) + " with " +
                           std::to_string(out.size()) + " series");
  }
  return out;
}

}  // namespace tocsin::rules
