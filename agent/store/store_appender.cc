// StoreAppender: a batch of samples committed to the SeriesStore at once.
//
// Add resolves existing series right away (pinning them) and remembers new label sets; Commit
// applies the per-source series limit, creates the accepted new series (global limit), appends
// each series' samples under that series' lock in one go (so a commit's samples for a series
// become visible together), writes stale markers for the series the source stopped writing and
// records the new series set of the source.
#include <algorithm>
#include <string>
#include <unordered_set>

#include "agent/core/utf8.h"
#include "agent/store/store_internal.h"

namespace tocsin::store_internal {
namespace {

// The store's own label-set hash (word-at-a-time, unlike Labels::Hash's byte-wise FNV-1a,
// which dominated the append path). Only used inside the store.
uint64_t HashLabels(const Labels& labels) {
  std::hash<std::string_view> h;
  uint64_t acc = 0x9e3779b97f4a7c15ULL ^ labels.size();
  for (const Label& l : labels) {
    acc = (acc ^ h(l.name)) * 0xff51afd7ed558ccdULL;
    acc = (acc ^ h(l.value)) * 0xc4ceb9fe1a85ec53ULL;
    acc ^= acc >> 29;
  }
  return acc;
}

// The distinct metric names of `series`, sorted.
std::vector<std::string> DistinctNames(const std::vector<Series*>& series) {
  std::vector<std::string_view> views;
  views.reserve(series.size());
  for (const Series* s : series) views.push_back(s->metric_name());
  std::sort(views.begin(), views.end());
  views.erase(std::unique(views.begin(), views.end()), views.end());
  return {views.begin(), views.end()};
}

}  // namespace

// The names to hand the commit listener (series_store.h, CommitNames). With a source whose series
// set is unchanged, its cached names; otherwise the names of now_set and of the series about to
// go stale, and the source's cache is refreshed with now_set's. Requires src->mu.
CommitNames StoreAppender::CommittedNames(SourceState* src, const std::vector<Series*>& now_set) {
  if (src == nullptr)
    return std::make_shared<const std::vector<std::string>>(DistinctNames(now_set));
  if (src->names && src->prev == now_set) return src->names;
  auto current = std::make_shared<const std::vector<std::string>>(DistinctNames(now_set));
  src->names = current;
  if (src->prev.empty()) return current;
  std::vector<Series*> both = now_set;
  both.insert(both.end(), src->prev.begin(), src->prev.end());
  return std::make_shared<const std::vector<std::string>>(DistinctNames(both));
}

StoreAppender::StoreAppender(StoreCore* store, std::string_view source, TimestampMs batch_time,
                             AppendLimits limits)
    : store_(store), source_(source), batch_time_(batch_time), limits_(limits) {}

StoreAppender::~StoreAppender() {
  if (!done_) Rollback();
}

Status StoreAppender::Add(const Labels& labels, double value) {
  return AddAt(labels, batch_time_, value);
}

Status StoreAppender::Fail(Status st) {
  failed_ = std::move(st);
  return failed_;
}

Status StoreAppender::AddAt(const Labels& labels, TimestampMs t, double value) {
  if (done_) return Internal("append to a batch that was already committed or rolled back");
  if (!failed_.ok()) return failed_;
  if (limits_.sample_limit != 0 && pending_.size() >= limits_.sample_limit) {
    return Fail(ResourceExhausted("source \"" + source_ + "\" exceeded its sample limit of " +
                                  std::to_string(limits_.sample_limit) +
                                  " samples; the whole batch is dropped"));
  }
  uint64_t hash = HashLabels(labels);
  if (Series* s = store_->Lookup(hash, labels)) {
    pending_.push_back({s, 0, t, value});
    return Status::Ok();
  }
  auto [b, e] = new_by_hash_.equal_range(hash);
  for (auto it = b; it != e; ++it) {
    if (new_series_[it->second].labels == labels) {
      pending_.push_back({nullptr, it->second, t, value});
      return Status::Ok();
    }
  }
  // Values from databases, textfiles and rules are kept with bad bytes as U+FFFD; scrapes
  // refuse such samples before they get here, as Prometheus does.
  for (const Label& l : labels) {
    if (ValidUtf8(l.value)) continue;
    LabelsBuilder b(labels);
    for (const Label& bad : labels) {
      if (!ValidUtf8(bad.value)) b.Set(bad.name, SanitizeUtf8(bad.value));
    }
    return AddAt(b.Build(), t, value);
  }
  std::string_view name = labels.MetricName();
  if (name.empty()) return InvalidArgument("sample without a metric name: " + labels.ToString());
  if (!IsValidMetricName(name)) {
    return InvalidArgument("invalid metric name \"" + std::string(name) + "\"");
  }
  for (const Label& l : labels) {
    if (!IsValidLabelName(l.name)) {
      return InvalidArgument("invalid label name \"" + l.name + "\" in " + labels.ToString());
    }
  }
  auto idx = static_cast<uint32_t>(new_series_.size());
  new_series_.push_back({hash, labels});
  new_by_hash_.emplace(hash, idx);
  pending_.push_back({nullptr, idx, t, value});
  return Status::Ok();
}

void StoreAppender::SetMetadata(std::string_view family, const Metadata& metadata) {
  metadata_.emplace_back(std::string(family), metadata);
}

void StoreAppender::Unpin() {
  for (const Pending& p : pending_) {
    if (p.series != nullptr) p.series->pins.fetch_sub(1, std::memory_order_release);
  }
  pending_.clear();
  new_series_.clear();
  new_by_hash_.clear();
}

void StoreAppender::Rollback() {
  if (done_) return;
  done_ = true;
  Unpin();
  metadata_.clear();
}

Result<CommitStats> StoreAppender::Commit() {
  if (done_) return Internal("batch already committed or rolled back");
  done_ = true;
  CommitStats cs;
  std::shared_ptr<SourceState> src = source_.empty() ? nullptr : store_->Source(source_);
  std::unique_lock<std::mutex> src_lock;
  if (src) src_lock = std::unique_lock(src->mu);

  if (!failed_.ok()) {
    // As Prometheus does for a scrape over sample_limit: nothing is appended and the source's
    // series go stale (the batch counts as an empty one).
    Unpin();
    if (src) {
      std::vector<Series*> marked;
      cs.stale_markers = store_->MarkStale(
          *src, batch_time_, {}, store_->sample_tap.load() != nullptr ? &marked : nullptr);
      TapStaleMarkers(*store_, marked, batch_time_);
      for (Series* s : src->prev) s->source_refs.fetch_sub(1, std::memory_order_release);
      src->prev.clear();
    }
    return failed_;
  }

  const std::vector<Series*> empty_prev;
  const std::vector<Series*>& prev = src ? src->prev : empty_prev;
  auto in_prev = [&](Series* s) { return std::binary_search(prev.begin(), prev.end(), s); };

  // Per-source limit over the distinct series of the batch: the series the source wrote last
  // time are always kept (an established set never flaps); others are taken in order of first
  // appearance while the limit allows.
  size_t limit =
      limits_.max_series != 0 ? limits_.max_series : store_->options.max_series_per_source;
  size_t kept = 0;
  {
    std::vector<Series*> seen;
    seen.reserve(pending_.size());
    for (const Pending& p : pending_) {
      if (p.series != nullptr) seen.push_back(p.series);
    }
    std::sort(seen.begin(), seen.end());
    seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
    for (Series* s : seen) kept += in_prev(s) ? 1 : 0;
  }
  size_t budget = limit > kept ? limit - kept : 0;
  std::unordered_set<Series*> accepted_old, rejected_old;
  // Decision for each new label set: 0 undecided, 1 accepted, 2 rejected.
  std::vector<uint8_t> fresh_decision(new_series_.size(), 0);
  std::vector<Series*> fresh_series(new_series_.size(), nullptr);
  std::vector<Series*> created_pins;
  for (const Pending& p : pending_) {
    if (p.series != nullptr) {
      if (in_prev(p.series) || accepted_old.count(p.series) || rejected_old.count(p.series)) {
        continue;
      }
      if (budget > 0) {
        --budget;
        accepted_old.insert(p.series);
      } else {
        rejected_old.insert(p.series);
        ++cs.rejected_series;
        store_->rejected_source_limit.fetch_add(1, std::memory_order_relaxed);
      }
      continue;
    }
    if (fresh_decision[p.fresh] != 0) continue;
    if (budget == 0) {
      fresh_decision[p.fresh] = 2;
      ++cs.rejected_series;
      store_->rejected_source_limit.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    bool created = false, over = false;
    const NewSeries& ns = new_series_[p.fresh];
    Series* s = store_->GetOrCreate(ns.hash, ns.labels, &created, &over);
    if (s == nullptr) {
      fresh_decision[p.fresh] = 2;
      ++cs.rejected_series;
      store_->rejected_global_limit.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    --budget;
    fresh_decision[p.fresh] = 1;
    fresh_series[p.fresh] = s;
    created_pins.push_back(s);
  }

  // Accepted samples grouped by series, in batch order within a series.
  struct Item {
    Series* s;
    uint32_t seq;
    TimestampMs t;
    double v;
  };
  std::vector<Item> items;
  items.reserve(pending_.size());
  for (uint32_t i = 0; i < pending_.size(); ++i) {
    const Pending& p = pending_[i];
    Series* s = p.series;
    if (s == nullptr) {
      if (fresh_decision[p.fresh] != 1) continue;
      s = fresh_series[p.fresh];
    } else if (rejected_old.count(s)) {
      continue;
    }
    items.push_back({s, i, p.t, p.v});
  }
  std::sort(items.begin(), items.end(),
            [](const Item& a, const Item& b) { return a.s != b.s ? a.s < b.s : a.seq < b.seq; });
  SeriesDelta delta;
  auto spc = static_cast<uint32_t>(store_->options.samples_per_chunk);
  SampleTap* const tap = store_->sample_tap.load(std::memory_order_acquire);
  const bool tapped = tap != nullptr;
  std::vector<TapItem> tap_items;
  if (tapped) tap_items.reserve(items.size());
  std::vector<Series*> now_set;
  now_set.reserve(items.size());
  for (size_t i = 0; i < items.size();) {
    Series* s = items[i].s;
    now_set.push_back(s);
    std::lock_guard lock(s->mu);
    for (; i < items.size() && items[i].s == s; ++i) {
      switch (s->Append(items[i].t, items[i].v, spc, &delta)) {
        case AppendOutcome::kAppended:
          ++cs.appended;
          if (tapped) tap_items.push_back({s, items[i].t, items[i].v});
          break;
        case AppendOutcome::kOutOfOrder:
          ++cs.out_of_order;
          break;
        case AppendOutcome::kDuplicate:
          ++cs.duplicate;
          break;
        case AppendOutcome::kIdenticalDuplicate:
          break;
      }
    }
  }
  store_->ApplyDelta(delta);

  CommitNames names;
  if (store_->commit_listener) names = CommittedNames(src.get(), now_set);
  std::vector<Series*> marked;
  if (src)
    cs.stale_markers = store_->MarkStale(*src, batch_time_, now_set, tapped ? &marked : nullptr);
  if (tapped) {
    // Under the source's lock and before unpinning: the tap sees this source's commits in
    // order, and every series it is handed is alive.
    for (Series* s : marked) tap_items.push_back({s, batch_time_, StaleNaN()});
    if (!tap_items.empty()) tap->OnCommitted(TapBatch(tap_items));
  }
  if (src) {
    for (Series* s : now_set) {
      if (!in_prev(s)) s->source_refs.fetch_add(1, std::memory_order_relaxed);
    }
    for (Series* s : src->prev) {
      if (!std::binary_search(now_set.begin(), now_set.end(), s)) {
        s->source_refs.fetch_sub(1, std::memory_order_release);
      }
    }
    src->prev = std::move(now_set);
  }
  for (auto& [family, md] : metadata_) store_->SetMetadata(family, md);
  metadata_.clear();
  Unpin();
  for (Series* s : created_pins) s->pins.fetch_sub(1, std::memory_order_release);
  if (src_lock.owns_lock()) src_lock.unlock();

  store_->samples_appended.fetch_add(cs.appended, std::memory_order_relaxed);
  store_->out_of_order.fetch_add(cs.out_of_order, std::memory_order_relaxed);
  store_->duplicate.fetch_add(cs.duplicate, std::memory_order_relaxed);
  if (store_->commit_listener) store_->commit_listener(source_, names);
  return cs;
}

}  // namespace tocsin::store_internal
