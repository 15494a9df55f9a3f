#include "agent/store/series_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <string>
#include <thread>
#include <vector>

namespace tocsin {
namespace {

Labels L(std::string name, std::initializer_list<Label> extra = {}) {
  std::vector<Label> pairs(extra);
  pairs.push_back({"__name__", std::move(name)});
  return Labels::FromUnsorted(std::move(pairs));
}

LabelMatcher M(MatchOp op, std::string name, std::string value) {
  auto m = LabelMatcher::Make(op, std::move(name), std::move(value));
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return std::move(m).value();
}

std::vector<SeriesData> Select(const SeriesStore& store, std::vector<LabelMatcher> ms,
                               TimestampMs mint = 0, TimestampMs maxt = 1LL << 60) {
  return store.NewQuerier(mint, maxt)->Select(ms);
}

StoreOptions Opts() {
  StoreOptions o;
  o.retention = std::chrono::milliseconds(0);
  return o;
}

TEST(SeriesStoreTest, CommitMakesSamplesVisibleRollbackDoesNot) {
  SeriesStore store(Opts());
  {
    auto app = store.NewAppender("", 1000);
    ASSERT_TRUE(app->Add(L("up", {{"job", "a"}}), 1).ok());
    ASSERT_TRUE(app->AddAt(L("up", {{"job", "a"}}), 2000, 0).ok());
    EXPECT_TRUE(Select(store, {M(MatchOp::kEqual, "__name__", "up")}).empty());
    auto cs = app->Commit();
    ASSERT_TRUE(cs.ok());
    EXPECT_EQ(cs->appended, 2u);
  }
  {
    auto app = store.NewAppender("", 3000);
    ASSERT_TRUE(app->Add(L("up", {{"job", "a"}}), 5).ok());
    ASSERT_TRUE(app->Add(L("up", {{"job", "b"}}), 5).ok());
    app->Rollback();
    EXPECT_FALSE(app->Add(L("up"), 1).ok());
  }
  {
    auto app = store.NewAppender("", 4000);
    ASSERT_TRUE(app->Add(L("up", {{"job", "c"}}), 5).ok());
  }  // destroyed uncommitted: rolled back
  auto got = Select(store, {M(MatchOp::kEqual, "__name__", "up")});
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].labels, L("up", {{"job", "a"}}));
  EXPECT_EQ(got[0].samples, (std::vector<Sample>{{1000, 1}, {2000, 0}}));
  EXPECT_EQ(store.Stats().series, 1u);
  EXPECT_EQ(store.Stats().samples_appended, 2u);
}

TEST(SeriesStoreTest, RejectsInvalidLabels) {
  SeriesStore store(Opts());
  auto app = store.NewAppender("", 1);
  EXPECT_EQ(app->Add(Labels({{"job", "x"}}), 1).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(app->Add(L("1bad"), 1).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(app->Add(L("ok", {{"bad-name", "x"}}), 1).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(app->Add(L("ok"), 1).ok());
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(store.Stats().series, 1u);
}

// Database and rule strings keep their series with bad bytes as U+FFFD; the raw and the
// sanitised spelling are one series.
TEST(SeriesStoreTest, InvalidUtf8LabelValuesAreSanitised) {
  SeriesStore store(Opts());
  for (TimestampMs t : {1000, 2000}) {
    auto app = store.NewAppender("", t);
    ASSERT_TRUE(app->Add(L("db_up", {{"datname",
                                      "a\xff"
                                      "b"}}),
                         1)
                    .ok());
    ASSERT_TRUE(app->Add(L("db_up", {{"datname",
                                      "a\xef\xbf\xbd"
                                      "b"}}),
                         1)
                    .ok());
    ASSERT_TRUE(app->Commit().ok());
  }
  auto got = Select(store, {M(MatchOp::kEqual, "__name__", "db_up")});
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].labels, L("db_up", {{"datname",
                                        "a\xef\xbf\xbd"
                                        "b"}}));
  EXPECT_EQ(got[0].samples.size(), 2u);
}

class MatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto app = store_.NewAppender("", 1000);
    for (auto& l : {L("http_requests_total", {{"job", "api"}, {"code", "200"}}),
                    L("http_requests_total", {{"job", "api"}, {"code", "500"}}),
                    L("http_requests_total", {{"job", "web"}, {"code", "200"}}),
                    L("http_requests_total", {{"job", "web"}}), L("up", {{"job", "api"}}),
                    L("up", {{"job", "apiserver"}})}) {
      ASSERT_TRUE(app->Add(l, 1).ok());
    }
    ASSERT_TRUE(app->Commit().ok());
  }
  std::vector<Labels> Names(std::vector<LabelMatcher> ms) {
    std::vector<Labels> out;
    for (auto& s : Select(store_, std::move(ms))) out.push_back(s.labels);
    return out;
  }
  SeriesStore store_{Opts()};
};

TEST_F(MatcherTest, EqualAndNotEqual) {
  auto name = M(MatchOp::kEqual, "__name__", "http_requests_total");
  EXPECT_EQ(Names({name, M(MatchOp::kEqual, "job", "api")}).size(), 2u);
  EXPECT_EQ(Names({name, M(MatchOp::kNotEqual, "job", "api")}).size(), 2u);
  // != matches series without the label too.
  EXPECT_EQ(Names({name, M(MatchOp::kNotEqual, "code", "200")}),
            (std::vector<Labels>{L("http_requests_total", {{"job", "api"}, {"code", "500"}}),
                                 L("http_requests_total", {{"job", "web"}})}));
  // ="" selects series without the label; !="" those with it.
  EXPECT_EQ(Names({name, M(MatchOp::kEqual, "code", "")}),
            (std::vector<Labels>{L("http_requests_total", {{"job", "web"}})}));
  EXPECT_EQ(Names({name, M(MatchOp::kNotEqual, "code", "")}).size(), 3u);
  EXPECT_TRUE(Names({M(MatchOp::kEqual, "job", "nope")}).empty());
  EXPECT_TRUE(Names({}).empty());
  // Only matchers that match "": all series minus the excluded ones.
  EXPECT_EQ(Names({M(MatchOp::kNotEqual, "job", "web")}).size(), 4u);
}

TEST_F(MatcherTest, RegexesAreAnchored) {
  EXPECT_EQ(Names({M(MatchOp::kRegexMatch, "job", "api")}).size(), 3u);  // not apiserver
  EXPECT_EQ(Names({M(MatchOp::kRegexMatch, "job", "api.*")}).size(), 4u);
  EXPECT_EQ(Names({M(MatchOp::kRegexMatch, "job", "pi")}).size(), 0u);
  EXPECT_EQ(Names({M(MatchOp::kEqual, "__name__", "up"), M(MatchOp::kRegexNoMatch, "job", "api")}),
            (std::vector<Labels>{L("up", {{"job", "apiserver"}})}));
  // =~ that matches "" also selects series without the label.
  EXPECT_EQ(Names({M(MatchOp::kEqual, "__name__", "http_requests_total"),
                   M(MatchOp::kRegexMatch, "code", "2..|")})
                .size(),
            3u);
  EXPECT_EQ(Names({M(MatchOp::kRegexMatch, "__name__", ".+")}).size(), 6u);
}

TEST_F(MatcherTest, LabelValuesSorted) {
  auto q = store_.NewQuerier(0, 10000);
  EXPECT_EQ(q->LabelValues("job"), (std::vector<std::string>{"api", "apiserver", "web"}));
  EXPECT_EQ(q->LabelValues("code"), (std::vector<std::string>{"200", "500"}));
  EXPECT_TRUE(q->LabelValues("nope").empty());
}

TEST(SeriesStoreTest, OutOfOrderAndDuplicatesCounted) {
  SeriesStore store(Opts());
  auto add = [&](TimestampMs t, double v) {
    auto app = store.NewAppender("", t);
    EXPECT_TRUE(app->AddAt(L("x"), t, v).ok());
    auto cs = app->Commit();
    EXPECT_TRUE(cs.ok());
    return *cs;
  };
  EXPECT_EQ(add(1000, 1).appended, 1u);
  EXPECT_EQ(add(500, 2).out_of_order, 1u);
  CommitStats same = add(1000, 1);  // identical duplicate: a no-op, not an error
  EXPECT_EQ(same.appended + same.duplicate + same.out_of_order, 0u);
  EXPECT_EQ(add(1000, 3).duplicate, 1u);
  EXPECT_EQ(add(2000, 3).appended, 1u);
  // Within one batch.
  auto app = store.NewAppender("", 3000);
  ASSERT_TRUE(app->AddAt(L("x"), 3000, 1).ok());
  ASSERT_TRUE(app->AddAt(L("x"), 2500, 1).ok());
  ASSERT_TRUE(app->AddAt(L("x"), 3000, 2).ok());
  auto cs = app->Commit();
  EXPECT_EQ(cs->appended, 1u);
  EXPECT_EQ(cs->out_of_order, 1u);
  EXPECT_EQ(cs->duplicate, 1u);
  StoreStats st = store.Stats();
  EXPECT_EQ(st.out_of_order, 2u);
  EXPECT_EQ(st.duplicate, 2u);
  EXPECT_EQ(st.samples_appended, 3u);
  auto got = Select(store, {M(MatchOp::kEqual, "__name__", "x")});
  EXPECT_EQ(got[0].samples, (std::vector<Sample>{{1000, 1}, {2000, 3}, {3000, 1}}));
}

TEST(SeriesStoreTest, StaleMarkersForVanishedSeries) {
  SeriesStore store(Opts());
  auto commit = [&](TimestampMs t, std::vector<std::string> jobs) {
    auto app = store.NewAppender("scrape/x", t);
    for (auto& j : jobs) EXPECT_TRUE(app->Add(L("up", {{"job", j}}), 1).ok());
    return *app->Commit();
  };
  EXPECT_EQ(commit(1000, {"a", "b"}).stale_markers, 0u);
  EXPECT_EQ(commit(2000, {"a"}).stale_markers, 1u);
  EXPECT_EQ(commit(3000, {"a"}).stale_markers, 0u);  // already stale: not marked again
  EXPECT_EQ(commit(4000, {"a", "b"}).stale_markers, 0u);
  // Another source does not affect this one's series.
  {
    auto app = store.NewAppender("other", 4500);
    ASSERT_TRUE(app->Add(L("y"), 1).ok());
    ASSERT_TRUE(app->Commit().ok());
  }
  store.MarkSourceStale("scrape/x", 5000);
  auto got = Select(store, {M(MatchOp::kEqual, "__name__", "up")});
  ASSERT_EQ(got.size(), 2u);
  const auto& b = got[1].samples;  // job="b"
  ASSERT_EQ(b.size(), 4u);
  EXPECT_EQ(b[0], (Sample{1000, 1}));
  EXPECT_EQ(b[1].t, 2000);
  EXPECT_TRUE(IsStaleNaN(b[1].v));
  EXPECT_EQ(b[2], (Sample{4000, 1}));
  EXPECT_TRUE(IsStaleNaN(b[3].v));
  EXPECT_EQ(b[3].t, 5000);
  EXPECT_TRUE(IsStaleNaN(got[0].samples.back().v));
  EXPECT_EQ(store.Stats().stale_markers, 3u);
  EXPECT_FALSE(IsStaleNaN(Select(store, {M(MatchOp::kEqual, "__name__", "y")})[0].samples[0].v));
  // An ordinary NaN is not a stale marker.
  EXPECT_FALSE(IsStaleNaN(std::nan("")));
}

TEST(SeriesStoreTest, SampleLimitFailsWholeBatchAndMarksStale) {
  SeriesStore store(Opts());
  {
    auto app = store.NewAppender("job", 1000, {.sample_limit = 3});
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(app->Add(L("m", {{"i", std::to_string(i)}}), 1).ok());
    ASSERT_TRUE(app->Commit().ok());
  }
  auto app = store.NewAppender("job", 2000, {.sample_limit = 3});
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(app->Add(L("m", {{"i", std::to_string(i)}}), 2).ok());
  Status st = app->Add(L("m", {{"i", "3"}}), 2);
  EXPECT_EQ(st.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(st.message().find("sample limit of 3"), std::string::npos) << st.message();
  auto cs = app->Commit();
  EXPECT_FALSE(cs.ok());
  EXPECT_EQ(cs.status().code(), StatusCode::kResourceExhausted);
  for (const auto& s : Select(store, {M(MatchOp::kEqual, "__name__", "m")})) {
    ASSERT_EQ(s.samples.size(), 2u);  // value 2 never landed; a stale marker did
    EXPECT_TRUE(IsStaleNaN(s.samples[1].v));
  }
  EXPECT_EQ(store.Stats().series, 3u);
}

TEST(SeriesStoreTest, SeriesLimits) {
  StoreOptions o = Opts();
  o.max_series = 5;
  o.max_series_per_source = 3;
  SeriesStore store(o);
  auto commit = [&](std::string source, TimestampMs t, int n, AppendLimits lim = {}) {
    auto app = store.NewAppender(source, t, lim);
    for (int i = 0; i < n; ++i) {
      EXPECT_TRUE(app->Add(L("m", {{"s", source}, {"i", std::to_string(i)}}), 1).ok());
    }
    return *app->Commit();
  };
  CommitStats a = commit("a", 1000, 4);
  EXPECT_EQ(a.appended, 3u);
  EXPECT_EQ(a.rejected_series, 1u);
  CommitStats b = commit("b", 1000, 3, {.max_series = 10});
  EXPECT_EQ(b.appended, 2u);  // global limit of 5
  EXPECT_EQ(b.rejected_series, 1u);
  StoreStats st = store.Stats();
  EXPECT_EQ(st.series, 5u);
  EXPECT_EQ(st.rejected_source_limit, 1u);
  EXPECT_EQ(st.rejected_global_limit, 1u);
  // Existing series keep being accepted at the limit.
  CommitStats a2 = commit("a", 2000, 3);
  EXPECT_EQ(a2.appended, 3u);
  EXPECT_EQ(a2.rejected_series, 0u);
}

TEST(SeriesStoreTest, CompactDropsWholeChunksAndEmptySeries) {
  StoreOptions o;
  o.retention = std::chrono::milliseconds(100'000);
  o.samples_per_chunk = 10;
  SeriesStore store(o);
  for (int i = 0; i < 50; ++i) {
    auto app = store.NewAppender("", i * 1000);
    ASSERT_TRUE(app->Add(L("keep"), i).ok());
    if (i < 5) {
      ASSERT_TRUE(app->Add(L("gone"), i).ok());
    }
    ASSERT_TRUE(app->Commit().ok());
  }
  EXPECT_EQ(store.Stats().series, 2u);
  EXPECT_EQ(store.Stats().chunks, 6u);
  store.Compact(125'000);  // cutoff 25 s: chunks [0,9] and [10,19] of "keep" and all of "gone"
  StoreStats st = store.Stats();
  EXPECT_EQ(st.series, 1u);
  EXPECT_EQ(st.chunks, 3u);
  auto got = Select(store, {M(MatchOp::kRegexMatch, "__name__", ".+")});
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].samples.front().t, 20'000);  // whole chunks only
  EXPECT_EQ(got[0].samples.size(), 30u);
  EXPECT_TRUE(store.NewQuerier(0, 1LL << 40)->LabelValues("__name__") ==
              std::vector<std::string>{"keep"});
  // The deleted series can come back.
  auto app = store.NewAppender("", 60'000);
  ASSERT_TRUE(app->Add(L("gone"), 7).ok());
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(Select(store, {M(MatchOp::kEqual, "__name__", "gone")})[0].samples,
            (std::vector<Sample>{{60'000, 7}}));
}

TEST(SeriesStoreTest, RangeSelection) {
  SeriesStore store(Opts());
  for (int i = 0; i < 300; ++i) {
    auto app = store.NewAppender("", i * 15000);
    ASSERT_TRUE(app->Add(L("x"), i * 0.5).ok());
    ASSERT_TRUE(app->Commit().ok());
  }
  auto got = Select(store, {M(MatchOp::kEqual, "__name__", "x")}, 15000 * 100, 15000 * 250);
  ASSERT_EQ(got[0].samples.size(), 151u);
  EXPECT_EQ(got[0].samples.front(), (Sample{1'500'000, 50}));
  EXPECT_EQ(got[0].samples.back(), (Sample{3'750'000, 125}));
  EXPECT_TRUE(Select(store, {M(MatchOp::kEqual, "__name__", "x")}, 1LL << 40, 1LL << 41).empty());
}

TEST(SeriesStoreTest, CommitListenerSeesSource) {
  SeriesStore store(Opts());
  std::vector<std::string> seen;
  store.SetCommitListener([&](std::string_view s, const CommitNames&) { seen.emplace_back(s); });
  auto app = store.NewAppender("rules/g", 1);
  ASSERT_TRUE(app->Add(L("x"), 1).ok());
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(seen, std::vector<std::string>{"rules/g"});
}

TEST(SeriesStoreTest, CommitListenerSeesMetricNamesAndReusesThemWhileTheSeriesSetHolds) {
  SeriesStore store(Opts());
  std::vector<CommitNames> seen;
  store.SetCommitListener([&](std::string_view, const CommitNames& n) { seen.push_back(n); });
  auto commit = [&](TimestampMs t, std::vector<std::string> names) {
    auto app = store.NewAppender("scrape/a", t);
    for (const auto& n : names) ASSERT_TRUE(app->Add(L(n), 1).ok());
    ASSERT_TRUE(app->Commit().ok());
  };
  commit(1000, {"y", "x", "x_total"});
  commit(2000, {"x", "y", "x_total"});
  commit(3000, {"x"});  // y and x_total go stale: their readers must hear of it
  commit(4000, {"x"});
  commit(5000, {"x"});
  ASSERT_EQ(seen.size(), 5u);
  for (const auto& n : seen) ASSERT_NE(n, nullptr);
  EXPECT_EQ(*seen[0], (std::vector<std::string>{"x", "x_total", "y"}));
  EXPECT_EQ(seen[1], seen[0]);  // same series set: the same pointer
  EXPECT_EQ(*seen[2], (std::vector<std::string>{"x", "x_total", "y"}));
  EXPECT_EQ(*seen[3], (std::vector<std::string>{"x"}));
  EXPECT_EQ(seen[4], seen[3]);
}

// Several writers, readers, compaction and exposition at once. Each commit writes the same
// value to both series of a pair, so a reader must never see the pair's series disagree on a
// committed timestamp once both are visible, and every series' samples stay in time order.
TEST(SeriesStoreTest, ConcurrentAppendReadCompact) {
  StoreOptions o;
  o.retention = std::chrono::milliseconds(50 * 1000);
  o.samples_per_chunk = 16;
  SeriesStore store(o);
  constexpr int kWriters = 3, kCommits = 300, kSeries = 20;
  std::atomic<int> done{0};
  std::atomic<TimestampMs> now{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      for (int c = 1; c <= kCommits; ++c) {
        TimestampMs t = c * 1000;
        auto app = store.NewAppender("w" + std::to_string(w), t);
        for (int s = 0; s < kSeries; ++s) {
          if ((s + c) % 7 == 0) continue;  // some series vanish and come back (stale markers)
          for (const char* half : {"a", "b"}) {
            EXPECT_TRUE(
                app->Add(
                       L("m", {{"w", std::to_string(w)}, {"s", std::to_string(s)}, {"half", half}}),
                       c)
                    .ok());
          }
        }
        EXPECT_TRUE(app->Commit().ok());
        TimestampMs prev = now.load();
        while (prev < t && !now.compare_exchange_weak(prev, t)) {
        }
      }
      done.fetch_add(1);
    });
  }
  threads.emplace_back([&] {
    while (done.load() < kWriters) {
      auto q = store.NewQuerier(0, 1LL << 40);
      auto got = q->Select(std::vector<LabelMatcher>{M(MatchOp::kRegexMatch, "s", "1.*")});
      for (const auto& sd : got) {
        for (size_t i = 1; i < sd.samples.size(); ++i) {
          ASSERT_LT(sd.samples[i - 1].t, sd.samples[i].t);
        }
        for (const auto& smp : sd.samples) {
          if (!IsStaleNaN(smp.v)) {
            ASSERT_EQ(smp.v * 1000, smp.t);
          }
        }
      }
    }
  });
  threads.emplace_back([&] {
    while (done.load() < kWriters) {
      store.Compact(now.load());
      std::string out;
      store.WriteExposition(out, now.load(), std::chrono::minutes(5));
      (void)store.Stats();
    }
  });
  for (auto& t : threads) t.join();
  store.Compact(now.load());
  StoreStats st = store.Stats();
  EXPECT_EQ(st.series, static_cast<uint64_t>(kWriters * kSeries * 2));
  EXPECT_EQ(st.out_of_order + st.duplicate, 0u);
  EXPECT_GT(st.stale_markers, 0u);
}

}  // namespace
}  // namespace tocsin
