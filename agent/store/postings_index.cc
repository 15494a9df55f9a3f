#include "agent/store/postings_index.h"

#include <algorithm>
#include <array>
#include <iterator>
#include <mutex>
#include <optional>

namespace tocsin {
namespace {

bool ById(const Series* a, const Series* b) { return a->id() < b->id(); }

std::vector<Series*> Intersect(const std::vector<Series*>& a, const std::vector<Series*>& b) {
  std::vector<Series*> out;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out), ById);
  return out;
}

std::vector<Series*> Subtract(const std::vector<Series*>& a, const std::vector<Series*>& b) {
  std::vector<Series*> out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out), ById);
  return out;
}

// Sorts by key, stably (equal keys keep their order). A least-significant-digit radix sort over
// the key's bytes, skipping the bytes every key shares: a few linear passes instead of an
// O(n log n) sort on every selection.
void SortByKey(std::vector<std::pair<uint64_t, Series*>>& v) {
  if (v.size() < 256) {
    std::stable_sort(v.begin(), v.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    return;
  }
  std::array<std::array<uint32_t, 256>, 8> counts{};
  for (const auto& e : v) {
    for (int d = 0; d < 8; ++d) ++counts[d][(e.first >> (8 * d)) & 0xff];
  }
  std::vector<std::pair<uint64_t, Series*>> tmp(v.size());
  for (int d = 0; d < 8; ++d) {
    auto& start = counts[d];
    if (start[(v[0].first >> (8 * d)) & 0xff] == v.size()) continue;
    uint32_t sum = 0;
    for (uint32_t& c : start) {
      uint32_t n = c;
      c = sum;
      sum += n;
    }
    for (const auto& e : v) tmp[start[(e.first >> (8 * d)) & 0xff]++] = e;
    v.swap(tmp);
  }
}

// Order keys: appended series step this far past the last one; renumbering spreads all keys
// evenly over [0, 2^63).
constexpr uint64_t kAppendStep = uint64_t{1} << 32;
constexpr uint64_t kKeySpace = uint64_t{1} << 63;

}  // namespace

void PostingsIndex::Add(Series* s) {
  std::unique_lock lock(mu_);
  s->set_id(next_id_++);
  for (const LabelRef& l : s->labels()) {
    by_name_[l.name->view()][l.value->view()].push_back(s);
    ++entries_;
  }
  all_.push_back(s);
  AssignOrderKey(ordered_.insert(s).first);
}

void PostingsIndex::AssignOrderKey(std::set<Series*, LabelOrder>::iterator it) {
  uint64_t lo = it == ordered_.begin() ? 0 : (*std::prev(it))->order_key();
  auto next = std::next(it);
  if (next == ordered_.end()) {
    if (lo < kKeySpace - kAppendStep) {
      (*it)->set_order_key(lo + kAppendStep);
      return;
    }
  } else {
    uint64_t hi = (*next)->order_key();
    if (hi - lo >= 2) {
      (*it)->set_order_key(lo + (hi - lo) / 2);
      return;
    }
  }
  // No room: renumber everything, leaving equal gaps (and room to append).
  uint64_t step = std::max<uint64_t>(1, kKeySpace / (2 * (ordered_.size() + 1)));
  uint64_t key = 0;
  for (Series* x : ordered_) x->set_order_key(key += step);
}

void PostingsIndex::Remove(std::span<Series* const> series) {
  if (series.empty()) return;
  std::vector<Series*> sorted(series.begin(), series.end());
  std::sort(sorted.begin(), sorted.end(), ById);
  auto gone = [&](Series* s) { return std::binary_search(sorted.begin(), sorted.end(), s, ById); };
  std::unique_lock lock(mu_);
  for (Series* s : sorted) {
    ordered_.erase(s);
    for (const LabelRef& l : s->labels()) {
      auto nit = by_name_.find(l.name->view());
      if (nit == by_name_.end()) continue;
      auto vit = nit->second.find(l.value->view());
      if (vit == nit->second.end()) continue;
      entries_ -= std::erase_if(vit->second, gone);
      if (vit->second.empty()) nit->second.erase(vit);
      if (nit->second.empty()) by_name_.erase(nit);
    }
  }
  std::erase_if(all_, gone);
}

std::vector<Series*> PostingsIndex::Select(std::span<const LabelMatcher> matchers) const {
  std::shared_lock lock(mu_);
  std::vector<Series*> out = SelectLocked(matchers);
  for (Series* s : out) s->pins.fetch_add(1, std::memory_order_relaxed);
  return out;
}

std::vector<Series*> PostingsIndex::SelectInLabelOrder(
    std::span<const LabelMatcher> matchers) const {
  std::shared_lock lock(mu_);
  std::vector<Series*> out = SelectLocked(matchers);
  std::vector<std::pair<uint64_t, Series*>> keyed;
  keyed.reserve(out.size());
  for (Series* s : out) keyed.emplace_back(s->order_key(), s);
  if (!std::is_sorted(keyed.begin(), keyed.end())) SortByKey(keyed);
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = keyed[i].second;
    out[i]->pins.fetch_add(1, std::memory_order_relaxed);
  }
  return out;
}

std::vector<Series*> PostingsIndex::SelectLocked(std::span<const LabelMatcher> matchers) const {
  if (matchers.empty()) return {};
  // Union of the postings of every value of `m.name()` for which `pred(value)` holds.
  auto union_of = [&](const LabelMatcher& m, bool want_match) {
    std::vector<Series*> out;
    auto nit = by_name_.find(m.name());
    if (nit == by_name_.end()) return out;
    if (m.op() == MatchOp::kEqual && want_match) {
      auto vit = nit->second.find(m.value());
      if (vit != nit->second.end()) out = vit->second;
      return out;
    }
    size_t lists = 0;
    for (const auto& [value, postings] : nit->second) {
      if (m.Matches(value) != want_match) continue;
      out.insert(out.end(), postings.begin(), postings.end());
      ++lists;
    }
    // A series has one value per name, so the lists are disjoint: sorting is enough.
    if (lists > 1) std::sort(out.begin(), out.end(), ById);
    return out;
  };

  std::optional<std::vector<Series*>> result;
  // Positive matchers (not matching ""): intersect their unions, smallest first would be better
  // but selectors have few matchers.
  for (const LabelMatcher& m : matchers) {
    if (m.MatchesEmpty()) continue;
    std::vector<Series*> p = union_of(m, true);
    result = result ? Intersect(*result, p) : std::move(p);
    if (result->empty()) return {};
  }
  // Matchers that also match a missing label: remove the series whose value does not match.
  for (const LabelMatcher& m : matchers) {
    if (!m.MatchesEmpty()) continue;
    if (!result) result = all_;
    *result = Subtract(*result, union_of(m, false));
  }
  return std::move(*result);
}

std::vector<Series*> PostingsIndex::All() const {
  std::shared_lock lock(mu_);
  for (Series* s : all_) s->pins.fetch_add(1, std::memory_order_relaxed);
  return all_;
}

std::vector<std::string> PostingsIndex::LabelValues(std::string_view name) const {
  std::shared_lock lock(mu_);
  std::vector<std::string> out;
  auto nit = by_name_.find(name);
  if (nit == by_name_.end()) return out;
  out.reserve(nit->second.size());
  for (const auto& kv : nit->second) out.emplace_back(kv.first);
  return out;
}

size_t PostingsIndex::bytes() const {
  std::shared_lock lock(mu_);
  size_t values = 0;
  for (const auto& kv : by_name_) values += kv.second.size();
  // Postings entries, tree nodes per value (~64 B + vector header), hash nodes per name.
  return entries_ * sizeof(Series*) + values * 88 + by_name_.size() * 64 +
         all_.capacity() * sizeof(Series*) + ordered_.size() * 48;
}

}  // namespace tocsin
