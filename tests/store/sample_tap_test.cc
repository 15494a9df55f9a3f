// The store's SampleTap seam (remote_write): what a commit hands over, in what order.
#include "agent/store/sample_tap.h"

#include <gtest/gtest.h>

#include <mutex>
#include <vector>

#include "agent/store/series_store.h"

namespace tocsin {
namespace {

struct Seen {
  uint64_t id;
  std::string labels;
  TimestampMs t;
  double v;
};

class RecordingTap final : public SampleTap {
 public:
  void OnCommitted(const CommittedSamples& s) override {
    std::lock_guard lock(mu_);
    ++batches;
    for (size_t i = 0; i < s.size(); ++i) {
      seen.push_back({s.series_id(i), s.labels(i).ToString(), s.timestamp(i), s.value(i)});
    }
  }
  std::mutex mu_;
  int batches = 0;
  std::vector<Seen> seen;
};

TEST(SampleTapTest, HandsOverAppendedSamplesAndStaleMarkers) {
  SeriesStore store(StoreOptions{.retention = std::chrono::milliseconds(0)});
  RecordingTap tap;
  store.SetSampleTap(&tap);
  Labels a{{"__name__", "a"}}, b{{"__name__", "b"}};
  {
    auto app = store.NewAppender("src", 1000);
    ASSERT_TRUE(app->Add(a, 1).ok());
    ASSERT_TRUE(app->Add(b, 2).ok());
    ASSERT_TRUE(app->Commit().ok());
  }
  ASSERT_EQ(tap.batches, 1);
  ASSERT_EQ(tap.seen.size(), 2u);
  EXPECT_NE(tap.seen[0].id, tap.seen[1].id);
  {
    // b vanishes (stale marker); an out-of-order sample of a is dropped and not handed over.
    auto app = store.NewAppender("src", 2000);
    ASSERT_TRUE(app->AddAt(a, 500, 9).ok());
    ASSERT_TRUE(app->AddAt(a, 2000, 3).ok());
    ASSERT_TRUE(app->Commit().ok());
  }
  ASSERT_EQ(tap.seen.size(), 4u);
  EXPECT_EQ(tap.seen[2].labels, a.ToString());
  EXPECT_EQ(tap.seen[2].t, 2000);
  EXPECT_EQ(tap.seen[3].labels, b.ToString());
  EXPECT_TRUE(IsStaleNaN(tap.seen[3].v));
  // A source removed by a reload: its series' stale markers too.
  store.MarkSourceStale("src", 3000);
  ASSERT_EQ(tap.seen.size(), 5u);
  EXPECT_EQ(tap.seen[4].labels, a.ToString());
  EXPECT_TRUE(IsStaleNaN(tap.seen[4].v));
  EXPECT_EQ(tap.seen[4].id, tap.seen[0].id);
}

TEST(SampleTapTest, NoTapNoCalls) {
  SeriesStore store(StoreOptions{});
  auto app = store.NewAppender("src", 1000);
  ASSERT_TRUE(app->Add(Labels{{"__name__", "a"}}, 1).ok());
  ASSERT_TRUE(app->Commit().ok());
  SUCCEED();
}

}  // namespace
}  // namespace tocsin
