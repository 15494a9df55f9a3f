#include "agent/store/postings_index.h"

#include <algorithm>
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

}  // namespace

void PostingsIndex::Add(Series* s) {
  std::unique_lock lock(mu_);
  s->set_id(next_id_++);
  for (const LabelRef& l : s->labels()) {
    by_name_[l.name->view()][l.value->view()].push_back(s);
    ++entries_;
  }
  all_.push_back(s);
}

void PostingsIndex::Remove(std::span<Series* const> series) {
  if (series.empty()) return;
  std::vector<Series*> sorted(series.begin(), series.end());
  std::sort(sorted.begin(), sorted.end(), ById);
  auto gone = [&](Series* s) { return std::binary_search(sorted.begin(), sorted.end(), s, ById); };
  std::unique_lock lock(mu_);
  for (Series* s : sorted) {
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
  if (matchers.empty()) return {};
  std::shared_lock lock(mu_);
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
  for (Series* s : *result) s->pins.fetch_add(1, std::memory_order_relaxed);
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
         all_.capacity() * sizeof(Series*);
}

}  // namespace tocsin
