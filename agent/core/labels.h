// Labels: an immutable-by-convention set of (name, value) pairs, sorted by name, names unique.
//
// This is the identity of a series everywhere: collectors build them, the store interns them,
// PromQL transforms them. `__name__` holds the metric name.
//
// Ownership: the pairs live in immutable storage shared by reference count (a
// shared_ptr<const vector<Label>>). Copying a Labels is O(1) and never copies strings; every
// copy refers to the same pairs, which are never modified after construction (all "editing"
// goes through LabelsBuilder and produces new storage). References and iterators obtained from
// a Labels (pairs(), begin(), Get() views) stay valid while any copy sharing the storage lives.
//
// Thread-safety: the shared pairs are read-only, so copies may be used and destroyed
// concurrently on different threads (the reference count is atomic). A single Labels object is
// a plain value: assigning to it while another thread reads that same object is a data race.
#pragma once

#include <compare>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace tocsin {

inline constexpr std::string_view kMetricNameLabel = "__name__";

struct Label {
  std::string name;
  std::string value;
  friend bool operator==(const Label&, const Label&) = default;
  friend auto operator<=>(const Label&, const Label&) = default;
};

class Labels {
 public:
  Labels() = default;
  // Sorts the pairs; on duplicate names the last one wins. Empty values are dropped, as in
  // Prometheus an empty label value is the same as the label being absent.
  Labels(std::initializer_list<Label> pairs);
  static Labels FromUnsorted(std::vector<Label> pairs);
  // Takes pairs that are already sorted, unique and without empty values (checked in debug).
  static Labels FromSorted(std::vector<Label> pairs);

  // Returns "" when absent.
  std::string_view Get(std::string_view name) const;
  bool Has(std::string_view name) const;
  std::string_view MetricName() const { return Get(kMetricNameLabel); }

  size_t size() const { return pairs().size(); }
  bool empty() const { return pairs().empty(); }
  auto begin() const { return pairs().begin(); }
  auto end() const { return pairs().end(); }
  const std::vector<Label>& pairs() const { return pairs_ ? *pairs_ : EmptyPairs(); }
  // True when both refer to the same shared storage (then they are equal); for tests and
  // fast paths.
  bool SharesStorageWith(const Labels& o) const { return pairs_ == o.pairs_; }

  // Stable 64-bit hash of the whole set (FNV-1a over name/value with separators).
  uint64_t Hash() const;

  // `{__name__="up", job="x"}` as Prometheus prints a label set; `up{job="x"}` in metric form.
  std::string ToString() const;
  std::string ToMetricString() const;

  friend bool operator==(const Labels& a, const Labels& b) {
    return a.pairs_ == b.pairs_ || a.pairs() == b.pairs();
  }
  friend auto operator<=>(const Labels& a, const Labels& b) {
    if (a.pairs_ == b.pairs_) return std::strong_ordering::equal;
    return a.pairs() <=> b.pairs();
  }

 private:
  static const std::vector<Label>& EmptyPairs();
  explicit Labels(std::vector<Label> pairs);

  // Null for the empty set (no allocation); never null-but-non-empty.
  std::shared_ptr<const std::vector<Label>> pairs_;
};

// Mutable editing of a label set; produces a new sorted Labels. Not thread-safe.
class LabelsBuilder {
 public:
  LabelsBuilder() = default;
  explicit LabelsBuilder(const Labels& base);
  LabelsBuilder& Set(std::string_view name, std::string_view value);  // "" deletes
  LabelsBuilder& Del(std::string_view name);
  // Keeps only the given names (PromQL `by`/`on`).
  LabelsBuilder& Keep(const std::vector<std::string>& names);
  std::string_view Get(std::string_view name) const;
  Labels Build() const;

 private:
  std::vector<Label> pairs_;  // kept sorted
};

// Appends `value` to `out` with Prometheus text-format escaping of \, " and newline.
void AppendEscapedLabelValue(std::string& out, std::string_view value);

// True for [a-zA-Z_][a-zA-Z0-9_]* (label names) and [a-zA-Z_:][a-zA-Z0-9_:]* (metric names).
bool IsValidLabelName(std::string_view name);
bool IsValidMetricName(std::string_view name);

}  // namespace tocsin
