// PostingsIndex: the inverted index label name -> value -> series, so that selectors touch only
// the series they can match instead of scanning the store.
//
// Postings lists hold Series pointers sorted by Series::id (ids grow with creation, so adding
// appends). Keys are views of the interned symbols of the series in the lists; a key is erased
// with its last series. The index also keeps every series in label order and gives each an
// order key (Series::order_key, increasing in that order, spaced so that most insertions fit
// between their neighbours; all keys are renumbered when they do not), so that results can be
// put in label order by sorting integers. Thread-safety: a reader/writer lock; Add/Remove take it
// exclusively and briefly, queries share it. Returned series are pinned (Series::pins); the caller
// unpins. The index does not own series.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "agent/core/matcher.h"
#include "agent/store/series.h"

namespace tocsin {

class PostingsIndex {
 public:
  // Assigns the next id to `s` and indexes it.
  void Add(Series* s);
  // Unindexes the given series (all at once: one pass per affected postings list).
  void Remove(std::span<Series* const> series);

  // Series matching every matcher, pinned, in id order. An empty matcher list selects nothing.
  std::vector<Series*> Select(std::span<const LabelMatcher> matchers) const;
  // The same, in label order (as Labels' operator<); series with equal labels (a deleted one
  // not yet unindexed and its successor) in id order.
  std::vector<Series*> SelectInLabelOrder(std::span<const LabelMatcher> matchers) const;
  // Every series, pinned.
  std::vector<Series*> All() const;
  // Sorted distinct values of a label name.
  std::vector<std::string> LabelValues(std::string_view name) const;

  // Estimated memory of the index structures.
  size_t bytes() const;

 private:
  using Postings = std::vector<Series*>;
  using ValueMap = std::map<std::string_view, Postings>;
  struct LabelOrder {
    bool operator()(const Series* a, const Series* b) const {
      int c = Series::LabelsCompare(*a, *b);
      return c != 0 ? c < 0 : a->id() < b->id();
    }
  };
  // Requires mu_ (shared at least); unpinned.
  std::vector<Series*> SelectLocked(std::span<const LabelMatcher> matchers) const;
  // Requires mu_ exclusively: gives `it` a key between its neighbours' (or renumbers all).
  void AssignOrderKey(std::set<Series*, LabelOrder>::iterator it);

  mutable std::shared_mutex mu_;
  uint64_t next_id_ = 1;
  std::unordered_map<std::string_view, ValueMap> by_name_;
  Postings all_;
  std::set<Series*, LabelOrder> ordered_;
  size_t entries_ = 0;  // total postings entries
};

// Unpins every series of a vector (RAII helper for pinned results).
class PinnedSeries {
 public:
  explicit PinnedSeries(std::vector<Series*> s) : series_(std::move(s)) {}
  PinnedSeries(const PinnedSeries&) = delete;
  PinnedSeries& operator=(const PinnedSeries&) = delete;
  ~PinnedSeries() {
    for (Series* s : series_) s->pins.fetch_sub(1, std::memory_order_release);
  }
  const std::vector<Series*>& get() const { return series_; }

 private:
  std::vector<Series*> series_;
};

}  // namespace tocsin
