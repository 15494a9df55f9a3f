// SeriesStore implementation: lookup stripes, postings index, source staleness, retention.
//
// Locks (never held in the reverse order): source state -> stripe -> series; the index lock
// and the symbol table's shard locks are leaves. A Series pointer is used outside those locks
// only while pinned; Compact deletes a series only when it is unpinned, empty and owned by no
// source, and frees it after it left both the stripe table and the index.
#include "agent/store/series_store.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <unordered_map>
#include <utility>
#include <vector>

#include "agent/store/exposition.h"
#include "agent/store/postings_index.h"
#include "agent/store/series.h"
#include "agent/store/store_internal.h"
#include "agent/store/symbol_table.h"

namespace tocsin {

using store_internal::SourceState;
using store_internal::StoreAppender;
using store_internal::StoreCore;

class SeriesStore::Impl : public StoreCore {
 public:
  using StoreCore::StoreCore;
};

// ---- Impl --------------------------------------------------------------------------------

StoreCore::StoreCore(StoreOptions o) : options(std::move(o)) {
  if (options.samples_per_chunk == 0) options.samples_per_chunk = 120;
}

StoreCore::~StoreCore() {
  for (Stripe& stripe : stripes) {
    for (auto& [hash, s] : stripe.by_hash) FreeSeries(s);
  }
  for (Series* s : graveyard) FreeSeries(s);
}

void StoreCore::FreeSeries(Series* s) {
  for (const LabelRef& l : s->labels()) {
    symbols.Release(l.name);
    symbols.Release(l.value);
  }
  delete s;
}

Series* StoreCore::Lookup(uint64_t hash, const Labels& labels) {
  Stripe& stripe = StripeFor(hash);
  std::lock_guard lock(stripe.mu);
  auto [b, e] = stripe.by_hash.equal_range(hash);
  for (auto it = b; it != e; ++it) {
    if (it->second->LabelsEqual(labels)) {
      it->second->pins.fetch_add(1, std::memory_order_relaxed);
      return it->second;
    }
  }
  return nullptr;
}

Series* StoreCore::GetOrCreate(uint64_t hash, const Labels& labels, bool* created,
                               bool* over_global_limit) {
  *created = false;
  *over_global_limit = false;
  Stripe& stripe = StripeFor(hash);
  Series* s;
  {
    std::lock_guard lock(stripe.mu);
    auto [b, e] = stripe.by_hash.equal_range(hash);
    for (auto it = b; it != e; ++it) {
      if (it->second->LabelsEqual(labels)) {
        it->second->pins.fetch_add(1, std::memory_order_relaxed);
        return it->second;
      }
    }
    if (series_count.fetch_add(1, std::memory_order_relaxed) >= options.max_series) {
      series_count.fetch_sub(1, std::memory_order_relaxed);
      *over_global_limit = true;
      return nullptr;
    }
    std::vector<LabelRef> refs;
    refs.reserve(labels.size());
    for (const Label& l : labels) refs.push_back({symbols.Intern(l.name), symbols.Intern(l.value)});
    s = new Series(hash, std::move(refs));
    s->pins.store(1, std::memory_order_relaxed);
    stripe.by_hash.emplace(hash, s);
    // Indexed while the stripe lock is held, so that Compact (which unlinks under the stripe
    // lock and then unindexes) never sees a linked but unindexed series.
    index.Add(s);
  }
  *created = true;
  series_bytes.fetch_add(static_cast<int64_t>(s->fixed_bytes() + kPerSeriesIndexBytes +
                                              s->labels().size() * sizeof(Series*)),
                         std::memory_order_relaxed);
  return s;
}

void StoreCore::ApplyDelta(const SeriesDelta& d) {
  if (d.bytes != 0) chunk_bytes.fetch_add(d.bytes, std::memory_order_relaxed);
  if (d.chunks != 0) chunks.fetch_add(d.chunks, std::memory_order_relaxed);
}

bool StoreCore::AppendStale(Series* s, TimestampMs t) {
  SeriesDelta d;
  bool appended = false;
  {
    std::lock_guard lock(s->mu);
    if (s->has_last() && (IsStaleNaN(s->last_v()) || t <= s->last_t())) return false;
    appended = s->Append(t, StaleNaN(), static_cast<uint32_t>(options.samples_per_chunk), &d) ==
               AppendOutcome::kAppended;
  }
  ApplyDelta(d);
  if (appended) {
    stale_markers.fetch_add(1, std::memory_order_relaxed);
    samples_appended.fetch_add(1, std::memory_order_relaxed);
  }
  return appended;
}

std::shared_ptr<SourceState> StoreCore::Source(std::string_view name) {
  std::lock_guard lock(sources_mu);
  auto it = sources.find(std::string(name));
  if (it != sources.end()) return it->second;
  auto st = std::make_shared<SourceState>();
  sources.emplace(std::string(name), st);
  return st;
}

uint64_t StoreCore::MarkStale(SourceState& st, TimestampMs t, const std::vector<Series*>& keep,
                              std::vector<Series*>* marked) {
  // Requires st.mu. `keep` and st.prev are sorted by pointer.
  uint64_t n = 0;
  for (Series* s : st.prev) {
    if (std::binary_search(keep.begin(), keep.end(), s)) continue;
    if (AppendStale(s, t)) {
      ++n;
      if (marked != nullptr) marked->push_back(s);
    }
  }
  return n;
}

void store_internal::TapStaleMarkers(StoreCore& store, const std::vector<Series*>& marked,
                                     TimestampMs t) {
  SampleTap* tap = store.sample_tap.load(std::memory_order_acquire);
  if (tap == nullptr || marked.empty()) return;
  std::vector<TapItem> items;
  items.reserve(marked.size());
  for (Series* s : marked) items.push_back({s, t, StaleNaN()});
  tap->OnCommitted(TapBatch(items));
}

void StoreCore::SetMetadata(const std::string& family, const Metadata& md) {
  std::lock_guard lock(metadata_mu);
  metadata[family] = md;
}

// ---- Querier -----------------------------------------------------------------------------

namespace {

class StoreQuerier final : public Querier {
 public:
  StoreQuerier(const StoreCore* store, TimestampMs mint, TimestampMs maxt)
      : store_(store), mint_(mint), maxt_(maxt) {}

  void ForEach(std::span<const LabelMatcher> matchers,
               FunctionRef<void(const SeriesView&)> visit) const override {
    Visit(matchers, false, visit);
  }

  void ForEachLatest(std::span<const LabelMatcher> matchers,
                     FunctionRef<void(const SeriesView&)> visit) const override {
    Visit(matchers, true, visit);
  }

  std::vector<std::string> LabelValues(std::string_view name) const override {
    return store_->index.LabelValues(name);
  }

  std::vector<std::string> LabelNames(std::span<const LabelMatcher> matchers) const override {
    PinnedSeries pinned(Selected(matchers));
    std::set<std::string_view> names;  // interned symbols: alive while their series are pinned
    InRange(pinned.get(), [&](const Series& s) {
      for (const LabelRef& l : s.labels()) names.insert(l.name->view());
    });
    return {names.begin(), names.end()};
  }

  std::vector<std::string> MatchingLabelValues(
      std::string_view name, std::span<const LabelMatcher> matchers) const override {
    PinnedSeries pinned(Selected(matchers));
    std::set<std::string_view> values;
    InRange(pinned.get(), [&](const Series& s) {
      if (std::string_view v = s.label(name); !v.empty()) values.insert(v);
    });
    return {values.begin(), values.end()};
  }

  std::vector<FamilyMetadata> ListMetadata() const override {
    MetadataMap md;
    {
      std::lock_guard lock(store_->metadata_mu);
      md = store_->metadata;
    }
    const std::vector<std::string> names = store_->index.LabelValues(kMetricNameLabel);
    auto has = [&](const std::string& n) {
      return std::binary_search(names.begin(), names.end(), n);
    };
    // Named as the exposition prints # TYPE (exposition.cc's ResolveFamily): a family key is
    // itself a series name, or the base of a histogram's or summary's _bucket/_sum/_count, or
    // a counter whose series carry _total.
    std::map<std::string, Metadata> out;
    for (const auto& [family, m] : md) {
      bool hist = m.type == MetricType::kHistogram || m.type == MetricType::kGaugeHistogram;
      bool summary = m.type == MetricType::kSummary;
      if (has(family)) {
        out.emplace(family, m);
      } else if (m.type == MetricType::kCounter && has(family + "_total")) {
        out.emplace(family + "_total", m);
      } else if ((hist && has(family + "_bucket")) ||
                 ((hist || summary) && (has(family + "_sum") || has(family + "_count")))) {
        out.emplace(family, m);
      }
    }
    std::vector<FamilyMetadata> result;
    result.reserve(out.size());
    for (auto& [family, m] : out) result.push_back({family, std::move(m)});
    return result;
  }

 private:
  std::vector<Series*> Selected(std::span<const LabelMatcher> matchers) const {
    return matchers.empty() ? store_->index.All() : store_->index.Select(matchers);
  }

  // Calls `f` with every series of `series` (pinned) that has a sample in [mint, maxt], under
  // its lock.
  template <typename F>
  void InRange(const std::vector<Series*>& series, F f) const {
    std::vector<Sample> latest;
    int64_t cache_bytes = 0;
    for (Series* s : series) {
      std::lock_guard lock(s->mu);
      latest.clear();
      s->ReadLatest(mint_, maxt_, latest, &cache_bytes);
      if (!latest.empty()) f(static_cast<const Series&>(*s));
    }
    if (cache_bytes != 0) store_->series_bytes.fetch_add(cache_bytes, std::memory_order_relaxed);
  }

  void Visit(std::span<const LabelMatcher> matchers, bool latest_only,
             FunctionRef<void(const SeriesView&)> visit) const {
    // In label order already (the index sorts by order keys, not by comparing labels).
    PinnedSeries pinned(store_->index.SelectInLabelOrder(matchers));
    std::vector<Sample> samples;  // one decode buffer for all series
    int64_t cache_bytes = 0;
    const std::vector<Series*>& series = pinned.get();
    // Series are scattered in memory and visited in label order, so each costs several cache
    // misses; prefetching a few series ahead (first the object, then what it points to)
    // overlaps them with the decoding of the current one.
    constexpr size_t kObjectAhead = 8, kDataAhead = 4;
    for (size_t i = 0; i < series.size(); ++i) {
      if (i + kObjectAhead < series.size()) {
        const char* obj = reinterpret_cast<const char*>(series[i + kObjectAhead]);
        for (size_t line = 0; line < sizeof(Series); line += 64) __builtin_prefetch(obj + line);
      }
      if (i + kDataAhead < series.size()) {
        Series* ahead = series[i + kDataAhead];
        std::lock_guard lock(ahead->mu);
        ahead->PrefetchForRead();
      }
      Series* s = series[i];
      const Labels* labels;
      {
        std::lock_guard lock(s->mu);
        samples.clear();
        if (latest_only) {
          s->ReadLatest(mint_, maxt_, samples, &cache_bytes);
        } else {
          s->Read(mint_, maxt_, samples, &cache_bytes);
        }
        if (samples.empty()) continue;
        // Built once and never changed afterwards, so it may be read after the unlock while
        // the series stays pinned.
        labels = &s->SharedLabels(&cache_bytes);
      }
      visit(SeriesView{*labels, samples, {}, series.size() - i - 1});
    }
    if (cache_bytes != 0) store_->series_bytes.fetch_add(cache_bytes, std::memory_order_relaxed);
  }

  const StoreCore* store_;
  TimestampMs mint_, maxt_;
};

}  // namespace

// ---- SeriesStore -------------------------------------------------------------------------

SeriesStore::SeriesStore(StoreOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}
SeriesStore::~SeriesStore() = default;

std::unique_ptr<Appender> SeriesStore::NewAppender(std::string_view source, TimestampMs batch_time,
                                                   AppendLimits limits) {
  return std::make_unique<StoreAppender>(impl_.get(), source, batch_time, limits);
}

void SeriesStore::MarkSourceStale(std::string_view source, TimestampMs t) {
  std::shared_ptr<SourceState> st;
  {
    std::lock_guard lock(impl_->sources_mu);
    auto it = impl_->sources.find(std::string(source));
    if (it == impl_->sources.end()) return;
    st = std::move(it->second);
    impl_->sources.erase(it);
  }
  std::lock_guard lock(st->mu);
  std::vector<Series*> marked;
  impl_->MarkStale(*st, t, {}, impl_->sample_tap.load() != nullptr ? &marked : nullptr);
  store_internal::TapStaleMarkers(*impl_, marked, t);
  for (Series* s : st->prev) s->source_refs.fetch_sub(1, std::memory_order_release);
  st->prev.clear();
}

std::unique_ptr<Querier> SeriesStore::NewQuerier(TimestampMs mint, TimestampMs maxt) const {
  return std::make_unique<StoreQuerier>(impl_.get(), mint, maxt);
}

void SeriesStore::Compact(TimestampMs now) {
  if (impl_->options.retention.count() <= 0) return;
  TimestampMs cutoff = now - impl_->options.retention.count();
  std::vector<Series*> empty;
  {
    PinnedSeries all(impl_->index.All());
    for (Series* s : all.get()) {
      SeriesDelta d;
      bool is_empty;
      {
        std::lock_guard lock(s->mu);
        s->DropBefore(cutoff, &d);
        is_empty = s->empty();
      }
      impl_->ApplyDelta(d);
      if (is_empty && s->source_refs.load(std::memory_order_acquire) == 0) empty.push_back(s);
    }
    // Unlink the empty ones nobody else holds; our own pin is the only one allowed.
    std::vector<Series*> unlinked;
    for (Series* s : empty) {
      StoreCore::Stripe& stripe = impl_->StripeFor(s->hash());
      std::lock_guard lock(stripe.mu);
      if (s->pins.load(std::memory_order_acquire) != 1 ||
          s->source_refs.load(std::memory_order_acquire) != 0) {
        continue;
      }
      {
        std::lock_guard slock(s->mu);
        if (!s->empty()) continue;
      }
      auto [b, e] = stripe.by_hash.equal_range(s->hash());
      for (auto it = b; it != e; ++it) {
        if (it->second == s) {
          stripe.by_hash.erase(it);
          break;
        }
      }
      s->unlinked = true;
      unlinked.push_back(s);
    }
    impl_->index.Remove(unlinked);
    std::lock_guard lock(impl_->graveyard_mu);
    impl_->graveyard.insert(impl_->graveyard.end(), unlinked.begin(), unlinked.end());
  }  // unpins
  // Free what no querier still holds (a querier may have pinned a series just before it was
  // unindexed; it is freed at a later Compact).
  std::vector<Series*> to_free;
  {
    std::lock_guard lock(impl_->graveyard_mu);
    std::erase_if(impl_->graveyard, [&](Series* s) {
      if (s->pins.load(std::memory_order_acquire) != 0) return false;
      to_free.push_back(s);
      return true;
    });
  }
  for (Series* s : to_free) {
    impl_->series_count.fetch_sub(1, std::memory_order_relaxed);
    impl_->series_bytes.fetch_sub(
        static_cast<int64_t>(s->fixed_bytes() + StoreCore::kPerSeriesIndexBytes +
                             s->labels().size() * sizeof(Series*)),
        std::memory_order_relaxed);
    impl_->FreeSeries(s);
  }
}

void SeriesStore::WriteExposition(std::string& out, TimestampMs now,
                                  std::chrono::milliseconds max_age, const Labels& omit,
                                  const std::function<bool(std::string_view)>& skip) const {
  PinnedSeries all(impl_->index.All());
  std::vector<ExpositionSample> samples;
  samples.reserve(all.get().size());
  TimestampMs oldest = now - max_age.count();
  for (Series* s : all.get()) {
    if (skip && skip(s->metric_name())) continue;
    std::lock_guard lock(s->mu);
    if (!s->has_last() || IsStaleNaN(s->last_v()) || s->last_t() < oldest) continue;
    samples.push_back({s, s->last_v()});
  }
  MetadataMap md;
  {
    std::lock_guard lock(impl_->metadata_mu);
    md = impl_->metadata;
  }
  WriteTextExposition(samples, md, out, omit);
}

StoreStats SeriesStore::Stats() const {
  StoreStats st;
  const StoreCore& i = *impl_;
  st.series = i.series_count.load(std::memory_order_relaxed);
  st.chunks = static_cast<uint64_t>(std::max<int64_t>(0, i.chunks.load()));
  int64_t bytes = i.chunk_bytes.load() + i.series_bytes.load();
  st.bytes = static_cast<uint64_t>(std::max<int64_t>(0, bytes)) + i.symbols.bytes();
  st.samples_appended = i.samples_appended.load(std::memory_order_relaxed);
  st.out_of_order = i.out_of_order.load(std::memory_order_relaxed);
  st.duplicate = i.duplicate.load(std::memory_order_relaxed);
  st.rejected_global_limit = i.rejected_global_limit.load(std::memory_order_relaxed);
  st.rejected_source_limit = i.rejected_source_limit.load(std::memory_order_relaxed);
  st.stale_markers = i.stale_markers.load(std::memory_order_relaxed);
  st.max_series = i.options.max_series;
  return st;
}

void SeriesStore::SetSampleTap(SampleTap* tap) {
  impl_->sample_tap.store(tap, std::memory_order_release);
}

void SeriesStore::SetCommitListener(CommitListener listener) {
  impl_->commit_listener = std::move(listener);
}

}  // namespace tocsin
