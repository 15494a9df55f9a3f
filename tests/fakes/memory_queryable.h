// MemoryQueryable: a tiny in-memory Queryable for evaluator tests (no compression, no limits).
//
// Add() series with their samples, then query. Not thread-safe while adding; queriers borrow the
// data: do not Add while a Querier is in use. Header-only.
#pragma once

#include <algorithm>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "agent/store/queryable.h"

namespace tocsin::testing {

class MemoryQueryable final : public Queryable {
 public:
  // Samples must be in time order.
  void Add(Labels labels, std::vector<Sample> samples) {
    auto it = std::lower_bound(series_.begin(), series_.end(), labels,
                               [](const SeriesData& a, const Labels& l) { return a.labels < l; });
    series_.insert(it, SeriesData{std::move(labels), std::move(samples)});
  }

  std::unique_ptr<Querier> NewQuerier(TimestampMs mint, TimestampMs maxt) const override {
    return std::make_unique<Q>(series_, mint, maxt);
  }

 private:
  class Q final : public Querier {
   public:
    Q(const std::vector<SeriesData>& s, TimestampMs mint, TimestampMs maxt)
        : series_(s), mint_(mint), maxt_(maxt) {}
    void ForEach(std::span<const LabelMatcher> matchers,
                 FunctionRef<void(const SeriesView&)> visit) const override {
      if (matchers.empty()) return;
      std::vector<Sample> in_range;
      for (const SeriesData& s : series_) {
        bool ok = true;
        for (const LabelMatcher& m : matchers) ok = ok && m.Matches(s.labels.Get(m.name()));
        if (!ok) continue;
        in_range.clear();
        for (const Sample& x : s.samples) {
          if (x.t >= mint_ && x.t <= maxt_) in_range.push_back(x);
        }
        if (!in_range.empty()) visit(SeriesView{s.labels, in_range, {}});
      }
    }
    std::vector<std::string> LabelValues(std::string_view name) const override {
      std::vector<std::string> out;
      for (const SeriesData& s : series_) {
        if (s.labels.Has(name)) out.emplace_back(s.labels.Get(name));
      }
      std::sort(out.begin(), out.end());
      out.erase(std::unique(out.begin(), out.end()), out.end());
      return out;
    }

   private:
    const std::vector<SeriesData>& series_;
    TimestampMs mint_, maxt_;
  };

  std::vector<SeriesData> series_;
};

}  // namespace tocsin::testing
