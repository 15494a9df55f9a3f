#include "agent/store/queryable.h"

#include <algorithm>
#include <set>

namespace tocsin {

std::vector<SeriesData> Querier::Select(std::span<const LabelMatcher> matchers) const {
  std::vector<SeriesData> out;
  ForEach(matchers, [&](const SeriesView& s) {
    if (out.empty()) out.reserve(s.remaining_hint + 1);
    out.push_back(SeriesData{s.labels,
                             {s.samples.begin(), s.samples.end()},
                             {s.histograms.begin(), s.histograms.end()}});
  });
  return out;
}

void Querier::ForEachLatest(std::span<const LabelMatcher> matchers,
                            FunctionRef<void(const SeriesView&)> visit) const {
  ForEach(matchers, [&](const SeriesView& s) {
    visit(SeriesView{s.labels, s.samples.empty() ? s.samples : s.samples.last(1),
                     s.histograms.empty() ? s.histograms : s.histograms.last(1), s.remaining_hint});
  });
}

namespace {

// Visits the newest sample of every series matching `matchers`, or of every series when the
// list is empty (every series has a metric name).
void ForEachSelected(const Querier& q, std::span<const LabelMatcher> matchers,
                     FunctionRef<void(const SeriesView&)> visit) {
  if (!matchers.empty()) {
    q.ForEachLatest(matchers, visit);
    return;
  }
  static const LabelMatcher* const kAll = [] {
    auto m = LabelMatcher::Make(MatchOp::kRegexMatch, std::string(kMetricNameLabel), ".+");
    return new LabelMatcher(std::move(m).value());
  }();
  q.ForEachLatest(std::span<const LabelMatcher>(kAll, 1), visit);
}

}  // namespace

std::vector<std::string> Querier::LabelNames(std::span<const LabelMatcher> matchers) const {
  std::set<std::string, std::less<>> names;
  ForEachSelected(*this, matchers, [&](const SeriesView& s) {
    for (const Label& l : s.labels) {
      if (names.find(l.name) == names.end()) names.emplace(l.name);
    }
  });
  return {names.begin(), names.end()};
}

std::vector<std::string> Querier::MatchingLabelValues(
    std::string_view name, std::span<const LabelMatcher> matchers) const {
  std::set<std::string, std::less<>> values;
  ForEachSelected(*this, matchers, [&](const SeriesView& s) {
    std::string_view v = s.labels.Get(name);
    if (!v.empty() && values.find(v) == values.end()) values.emplace(v);
  });
  return {values.begin(), values.end()};
}

}  // namespace tocsin
