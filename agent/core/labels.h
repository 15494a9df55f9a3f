// Labels: an immutable-by-convention set of (name, value) pairs, sorted by name, names unique.
//
// This is the identity of a series everywhere: collectors build them, the store interns them,
// PromQL transforms them. `__name__` holds the metric name. A Labels value owns its strings;
// copies are deep. Not synchronised: share const instances or copy.
#pragma once

#include <cstdint>
#include <initializer_list>
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

  size_t size() const { return pairs_.size(); }
  bool empty() const { return pairs_.empty(); }
  auto begin() const { return pairs_.begin(); }
  auto end() const { return pairs_.end(); }
  const std::vector<Label>& pairs() const { return pairs_; }

  // Stable 64-bit hash of the whole set (FNV-1a over name/value with separators).
  uint64_t Hash() const;

  // `{__name__="up", job="x"}` as Prometheus prints a label set; `up{job="x"}` in metric form.
  std::string ToString() const;
  std::string ToMetricString() const;

  friend bool operator==(const Labels&, const Labels&) = default;
  friend auto operator<=>(const Labels& a, const Labels& b) { return a.pairs_ <=> b.pairs_; }

 private:
  std::vector<Label> pairs_;
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
