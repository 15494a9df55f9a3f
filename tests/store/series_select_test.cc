// Querier::Select over the SeriesStore: windows that start or end inside chunks, the read
// cursor that lets sliding windows resume decoding, label order and shared labels.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "agent/store/series_store.h"

namespace tocsin {
namespace {

LabelMatcher NameIs(std::string name) { return LabelMatcher::Equal("__name__", std::move(name)); }

std::vector<SeriesData> Select(const SeriesStore& store, const LabelMatcher& m, TimestampMs mint,
                               TimestampMs maxt) {
  return store.NewQuerier(mint, maxt)->Select(std::span(&m, 1));
}

std::vector<Sample> Want(const std::vector<Sample>& all, TimestampMs mint, TimestampMs maxt) {
  std::vector<Sample> out;
  for (const Sample& s : all) {
    if (s.t >= mint && s.t <= maxt) out.push_back(s);
  }
  return out;
}

// Bitwise comparison (NaN payloads and the stale marker included).
void ExpectSamples(const std::vector<Sample>& got, const std::vector<Sample>& want,
                   TimestampMs mint, TimestampMs maxt) {
  ASSERT_EQ(got.size(), want.size()) << "window [" << mint << ", " << maxt << "]";
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(got[i].t, want[i].t) << "window [" << mint << ", " << maxt << "] sample " << i;
    ASSERT_EQ(std::bit_cast<uint64_t>(got[i].v), std::bit_cast<uint64_t>(want[i].v))
        << "window [" << mint << ", " << maxt << "] sample " << i;
  }
}

// Every window whose ends fall before, on, between and after samples, in chunk middles and on
// chunk boundaries, in an order that moves mint both forwards and backwards (so the read cursor
// is used, overtaken and invalid in turn).
TEST(SeriesSelectTest, WindowsInsideAndAcrossChunks) {
  StoreOptions o;
  o.retention = std::chrono::milliseconds(0);
  o.samples_per_chunk = 10;
  SeriesStore store(o);
  std::vector<Sample> all;
  for (int i = 0; i < 47; ++i) {
    TimestampMs t = 10'000 + i * 1000 + (i % 3) * 7;
    double v = i < 20 ? i : (i < 30 ? i * 0.25 : (i == 40 ? StaleNaN() : std::sqrt(i)));
    all.push_back({t, v});
    auto app = store.NewAppender("", t);
    ASSERT_TRUE(app->Add(Labels{{"__name__", "x"}}, v).ok());
    ASSERT_TRUE(app->Commit().ok());
  }
  std::vector<TimestampMs> ends = {0, 9'999, 10'000, 10'001};
  for (const Sample& s : all) {
    ends.push_back(s.t - 1);
    ends.push_back(s.t);
    ends.push_back(s.t + 1);
  }
  ends.push_back(1LL << 40);
  std::mt19937 rng(3);
  std::shuffle(ends.begin(), ends.end(), rng);
  for (TimestampMs mint : ends) {
    for (TimestampMs maxt : {mint, mint + 999, mint + 5'500, mint + 20'000, TimestampMs{1} << 41}) {
      auto got = Select(store, NameIs("x"), mint, maxt);
      std::vector<Sample> want = Want(all, mint, maxt);
      if (want.empty()) {
        EXPECT_TRUE(got.empty()) << "window [" << mint << ", " << maxt << "]";
        continue;
      }
      ASSERT_EQ(got.size(), 1u);
      ExpectSamples(got[0].samples, want, mint, maxt);
      if (HasFatalFailure()) return;
    }
  }
}

// A rule-like reader: the window slides forward as samples arrive, through head chunks that are
// sealed, re-encoded (value mode changes), compacted and restarted.
TEST(SeriesSelectTest, SlidingWindowOverGrowingHead) {
  StoreOptions o;
  o.retention = std::chrono::milliseconds(40'000);
  o.samples_per_chunk = 12;
  SeriesStore store(o);
  std::vector<Sample> all;
  std::mt19937_64 rng(99);
  double v = 0;
  TimestampMs t = 0;
  for (int i = 0; i < 400; ++i) {
    t += 1000 + static_cast<TimestampMs>(rng() % 5);
    if (i % 97 == 50) t += 60'000;  // a gap longer than the retention: the series restarts
    switch ((i / 25) % 4) {
      case 0:
        v = static_cast<double>(2 * i);  // a counter
        break;
      case 1:
        v = static_cast<double>(rng() % 100) / 8;  // forces re-encodes inside a head chunk
        break;
      case 2:
        v = rng() % 9 == 0 ? StaleNaN() : static_cast<double>(i) + 0.5;
        break;
      default:
        v = std::bit_cast<double>(rng() >> 2);
        break;
    }
    all.push_back({t, v});
    auto app = store.NewAppender("", t);
    ASSERT_TRUE(app->Add(Labels{{"__name__", "x"}, {"job", "j"}}, v).ok());
    ASSERT_TRUE(app->Commit().ok());
    if (i % 10 == 0) {
      store.Compact(t);
      std::erase_if(all,
                    [&](const Sample& s) { return s.t < t - 100'000; });  // below anything read
    }
    for (TimestampMs range : {3'500, 9'000, 30'000}) {
      auto got = Select(store, NameIs("x"), t - range, t);
      ASSERT_EQ(got.size(), 1u);
      ExpectSamples(got[0].samples, Want(all, t - range, t), t - range, t);
      if (HasFatalFailure()) return;
    }
  }
}

TEST(SeriesSelectTest, SortedByLabelsAndSharingTheStoresLabels) {
  SeriesStore store(StoreOptions{.retention = std::chrono::milliseconds(0)});
  std::vector<Labels> created = {
      {{"__name__", "m"}, {"i", "b"}},
      {{"__name__", "m"}, {"i", "a"}, {"z", "1"}},
      {{"__name__", "m"}, {"i", "a"}},
      {{"__name__", "m"}, {"h", "x"}},
      {{"__name__", "m"}, {"i", "aa"}},
      {{"__name__", "m"}, {"i", "a-long-value-that-is-not-stored-inline"}},
  };
  auto app = store.NewAppender("", 1000);
  for (const Labels& l : created) ASSERT_TRUE(app->Add(l, 1).ok());
  ASSERT_TRUE(app->Commit().ok());
  auto first = Select(store, NameIs("m"), 0, 2000);
  std::vector<Labels> want = created;
  std::sort(want.begin(), want.end());
  ASSERT_EQ(first.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(first[i].labels, want[i]) << i;
  // A second querier hands out the same immutable label storage, not a new copy.
  auto second = Select(store, NameIs("m"), 0, 2000);
  ASSERT_EQ(second.size(), first.size());
  for (size_t i = 0; i < first.size(); ++i) {
    EXPECT_TRUE(second[i].labels.SharesStorageWith(first[i].labels)) << i;
  }
  // The cached labels are counted in the store's memory.
  uint64_t before = store.Stats().bytes;
  auto app2 = store.NewAppender("", 2000);
  ASSERT_TRUE(app2->Add(Labels{{"__name__", "n"}}, 1).ok());
  ASSERT_TRUE(app2->Commit().ok());
  uint64_t added = store.Stats().bytes;
  EXPECT_GT(added, before);
  ASSERT_EQ(Select(store, NameIs("n"), 0, 3000).size(), 1u);
  EXPECT_GT(store.Stats().bytes, added);
}

// Insertion orders that exhaust the gaps between order keys (each new series lands right after
// the previous one, before an older one) force renumbering; deletions leave holes. Results stay
// in label order throughout.
TEST(SeriesSelectTest, LabelOrderSurvivesRenumberingAndDeletion) {
  StoreOptions o;
  o.retention = std::chrono::milliseconds(10'000);
  SeriesStore store(o);
  std::vector<std::string> values = {"a", "b"};
  std::string v = "a";
  for (int i = 0; i < 80; ++i) {
    v += "1";  // "a1" < "a11" < ... < "b": always the newest gap
    values.push_back(v);
  }
  for (int i = 0; i < 40; ++i) values.push_back("0" + std::to_string(i));  // at the front
  TimestampMs t = 1000;
  for (const std::string& x : values) {
    auto app = store.NewAppender("", t);
    ASSERT_TRUE(app->Add(Labels{{"__name__", "m"}, {"v", x}, {"short", x.size() < 5 ? "y" : ""}},
                         static_cast<double>(t))
                    .ok());
    ASSERT_TRUE(app->Commit().ok());
    t += 100;
  }
  auto check = [&](size_t want_size) {
    auto got = Select(store, NameIs("m"), 0, 1LL << 40);
    ASSERT_EQ(got.size(), want_size);
    for (size_t i = 1; i < got.size(); ++i) {
      ASSERT_LT(got[i - 1].labels, got[i].labels) << i;
    }
  };
  check(values.size());
  // Compaction deletes the older half; later series (and new ones) keep their order.
  store.Compact(t - 6'000 + 10'000);
  auto app = store.NewAppender("", t);
  ASSERT_TRUE(app->Add(Labels{{"__name__", "m"}, {"v", "a1111"}}, 1).ok());
  ASSERT_TRUE(app->Add(Labels{{"__name__", "m"}, {"v", "zz"}}, 1).ok());
  ASSERT_TRUE(app->Commit().ok());
  auto got = Select(store, NameIs("m"), 0, 1LL << 40);
  ASSERT_FALSE(got.empty());
  ASSERT_LT(got.size(), values.size());
  for (size_t i = 1; i < got.size(); ++i) ASSERT_LT(got[i - 1].labels, got[i].labels) << i;
}

// Thousands of series created in random label order: the selection is sorted (by the radix
// sort over order keys that large selections use), and streaming with ForEach visits the same
// series with the same samples, in the same order, as Select copies them.
TEST(SeriesSelectTest, LargeSelectionsInLabelOrderAndForEachMatchesSelect) {
  SeriesStore store(StoreOptions{.retention = std::chrono::milliseconds(0)});
  std::mt19937_64 rng(7);
  std::vector<Labels> created;
  for (int i = 0; i < 3000; ++i) {
    created.push_back(Labels{{"__name__", "m"},
                             {"host", "h" + std::to_string(rng() % 100000)},
                             {"i", std::to_string(i)}});
  }
  for (TimestampMs t = 0; t < 10 * 15'000; t += 15'000) {
    auto app = store.NewAppender("", t);
    for (size_t i = 0; i < created.size(); ++i) {
      ASSERT_TRUE(app->AddAt(created[i], t, static_cast<double>(t / 1000 + i)).ok());
    }
    ASSERT_TRUE(app->Commit().ok());
  }
  auto m = NameIs("m");
  auto querier = store.NewQuerier(30'000, 100'000);
  auto selected = querier->Select(std::span(&m, 1));
  ASSERT_EQ(selected.size(), created.size());
  std::sort(created.begin(), created.end());
  for (size_t i = 0; i < created.size(); ++i) ASSERT_EQ(selected[i].labels, created[i]) << i;
  size_t visited = 0;
  querier->ForEach(std::span(&m, 1), [&](const SeriesView& v) {
    ASSERT_LT(visited, selected.size());
    const SeriesData& want = selected[visited];
    EXPECT_TRUE(v.labels.SharesStorageWith(want.labels)) << visited;
    EXPECT_EQ(std::vector<Sample>(v.samples.begin(), v.samples.end()), want.samples) << visited;
    EXPECT_TRUE(v.histograms.empty());
    EXPECT_EQ(v.remaining_hint, selected.size() - visited - 1);
    ++visited;
  });
  EXPECT_EQ(visited, selected.size());
  ASSERT_EQ(selected[0].samples.size(), 5u);  // 30 s .. 90 s
}

// ForEachLatest hands each series' newest sample in the window: the one kept at hand when it is
// inside the window, a decoded one when the window ends before it, none when retention dropped
// the series' chunks (even though the series still remembers its last sample).
TEST(SeriesSelectTest, ForEachLatestTakesTheNewestSampleInTheWindow) {
  StoreOptions o;
  o.retention = std::chrono::milliseconds(100'000);
  SeriesStore store(o);
  for (TimestampMs t = 0; t <= 300'000; t += 15'000) {
    auto app = store.NewAppender("live", t);
    ASSERT_TRUE(app->AddAt(Labels{{"__name__", "m"}, {"s", "live"}}, t, t / 1000.0).ok());
    ASSERT_TRUE(app->Commit().ok());
    // Its source's last commit still holds the old series, so compaction keeps the (emptied)
    // series object.
    if (t > 45'000) continue;
    auto old = store.NewAppender("old", t);
    ASSERT_TRUE(old->AddAt(Labels{{"__name__", "m"}, {"s", "old"}}, t, t / 1000.0).ok());
    ASSERT_TRUE(old->Commit().ok());
  }
  auto latest = [&](TimestampMs mint, TimestampMs maxt) {
    std::vector<std::pair<std::string, Sample>> out;
    auto m = NameIs("m");
    store.NewQuerier(mint, maxt)->ForEachLatest(std::span(&m, 1), [&](const SeriesView& v) {
      EXPECT_EQ(v.samples.size(), 1u);
      out.emplace_back(std::string(v.labels.Get("s")), v.samples.back());
    });
    return out;
  };
  using Want = std::vector<std::pair<std::string, Sample>>;
  EXPECT_EQ(latest(200'000, 400'000), (Want{{"live", {300'000, 300}}}));  // kept at hand
  EXPECT_EQ(latest(0, 100'000),
            (Want{{"live", {90'000, 90}}, {"old", {45'000, 45}}}));  // decoded: window ends before
  EXPECT_EQ(latest(40'000, 50'000), (Want{{"live", {45'000, 45}}, {"old", {45'000, 45}}}));
  EXPECT_TRUE(latest(301'000, 400'000).empty());
  // Retention drops the old series' only chunk; its remembered last sample must not reappear.
  store.Compact(300'000);
  EXPECT_EQ(latest(0, 400'000), (Want{{"live", {300'000, 300}}}));
}

}  // namespace
}  // namespace tocsin
