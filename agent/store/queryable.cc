#include "agent/store/queryable.h"

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

}  // namespace tocsin
