// PostingsIndex: the inverted index label name -> value -> series, so that selectors touch only
// the series they can match instead of scanning the store.
//
// Postings lists hold Series pointers sorted by Series::id (ids grow with creation, so adding
// appends). Keys are views of the interned symbols of the series in the lists; a key is erased
// with its last series. Thread-safety: a reader/writer lock; Add/Remove take it exclusively and
// briefly, queries share it. Returned series are pinned (Series::pins); the caller unpins. The
// index does not own series.
#pragma once

#include <cstdint>
#include <map>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "agent/store/matcher.h"
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
  // Every series, pinned.
  std::vector<Series*> All() const;
  // Sorted distinct values of a label name.
  std::vector<std::string> LabelValues(std::string_view name) const;

  // Estimated memory of the index structures.
  size_t bytes() const;

 private:
  using Postings = std::vector<Series*>;
  using ValueMap = std::map<std::string_view, Postings>;

  mutable std::shared_mutex mu_;
  uint64_t next_id_ = 1;
  std::unordered_map<std::string_view, ValueMap> by_name_;
  Postings all_;
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
