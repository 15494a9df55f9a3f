#include "agent/core/labels.h"

#include <gtest/gtest.h>

#include <compare>
#include <string>
#include <string_view>
#include <utility>

namespace tocsin {
namespace {

TEST(LabelsTest, SortsDedupesAndDropsEmpty) {
  Labels l{{"b", "2"}, {"a", "1"}, {"b", "3"}, {"c", ""}};
  ASSERT_EQ(l.size(), 2u);
  EXPECT_EQ(l.Get("a"), "1");
  EXPECT_EQ(l.Get("b"), "3");
  EXPECT_FALSE(l.Has("c"));
}

TEST(LabelsTest, PrintsLikePrometheus) {
  Labels l{{"__name__", "up"}, {"job", "a\"b\\c\nd"}};
  EXPECT_EQ(l.ToMetricString(), "up{job=\"a\\\"b\\\\c\\nd\"}");
  EXPECT_EQ(Labels({{"__name__", "up"}}).ToMetricString(), "up");
  EXPECT_EQ(Labels({{"a", "1"}}).ToString(), "{a=\"1\"}");
}

// prometheus/common model's signature tests: the empty set hashes to FNV-1a's offset basis and
// a two-label set to the value Go computes, so fingerprints match Alertmanager's.
TEST(LabelsTest, HashIsPrometheusLabelSetFingerprint) {
  EXPECT_EQ(Labels().Hash(), 14695981039346656037ull);
  EXPECT_EQ(Labels({{"name", "garland, briggs"}, {"fear", "love is not enough"}}).Hash(),
            5799056148416392346ull);
}

TEST(LabelsTest, HashDistinguishesBoundaries) {
  Labels a{{"ab", "c"}};
  Labels b{{"a", "bc"}};
  EXPECT_NE(a.Hash(), b.Hash());
  EXPECT_EQ(a.Hash(), Labels({{"ab", "c"}}).Hash());
}

TEST(LabelsTest, BuilderEdits) {
  Labels base{{"a", "1"}, {"b", "2"}, {"c", "3"}};
  Labels out = LabelsBuilder(base).Set("d", "4").Del("a").Set("b", "").Build();
  EXPECT_EQ(out, (Labels{{"c", "3"}, {"d", "4"}}));
  EXPECT_EQ(LabelsBuilder(base).Keep({"a", "c"}).Build(), (Labels{{"a", "1"}, {"c", "3"}}));
}

TEST(LabelsTest, CopiesShareImmutableStorage) {
  Labels a{{"job", "a-rather-long-value-beyond-sso"}, {"__name__", "up"}};
  const Label* first = &*a.begin();
  Labels b = a;
  EXPECT_TRUE(b.SharesStorageWith(a));
  EXPECT_EQ(&*b.begin(), first);  // no deep copy
  EXPECT_EQ(a, b);
  EXPECT_EQ(a <=> b, std::strong_ordering::equal);
  // Editing through a builder never touches the shared pairs.
  Labels c = LabelsBuilder(b).Set("job", "other").Build();
  EXPECT_FALSE(c.SharesStorageWith(a));
  EXPECT_EQ(a.Get("job"), "a-rather-long-value-beyond-sso");
  EXPECT_EQ(b.Get("job"), "a-rather-long-value-beyond-sso");
  EXPECT_EQ(c.Get("job"), "other");
  // Views into the storage outlive the Labels they were taken from while a copy lives.
  std::string_view view;
  {
    Labels d = a;
    view = d.Get("job");
  }
  EXPECT_EQ(view, "a-rather-long-value-beyond-sso");
  // Moving leaves the source empty and keeps the storage.
  Labels e = std::move(b);
  EXPECT_TRUE(e.SharesStorageWith(a));
  EXPECT_TRUE(b.empty());  // NOLINT(bugprone-use-after-move): documented moved-from state
  EXPECT_EQ(b, Labels{});  // NOLINT(bugprone-use-after-move)
}

TEST(LabelsTest, EqualityAndOrderAcrossStorage) {
  Labels a{{"a", "1"}, {"b", "2"}};
  Labels same{{"b", "2"}, {"a", "1"}};
  EXPECT_FALSE(a.SharesStorageWith(same));
  EXPECT_EQ(a, same);
  EXPECT_LT((Labels{{"a", "1"}}), a);  // a prefix sorts first
  EXPECT_LT(a, (Labels{{"a", "2"}}));
  EXPECT_LT(Labels{}, a);
  Labels empty;
  EXPECT_TRUE(empty.empty());
  EXPECT_EQ(empty.size(), 0u);
  EXPECT_EQ(empty.begin(), empty.end());
  EXPECT_EQ(empty.Get("a"), "");
  EXPECT_EQ(empty, Labels::FromSorted({}));
  EXPECT_EQ(Labels({{"a", ""}}), empty);  // empty values are dropped
  EXPECT_EQ(empty.Hash(), Labels::FromUnsorted({}).Hash());
}

TEST(LabelsTest, NameValidity) {
  EXPECT_TRUE(IsValidLabelName("_a1"));
  EXPECT_FALSE(IsValidLabelName("1a"));
  EXPECT_FALSE(IsValidLabelName("a:b"));
  EXPECT_TRUE(IsValidMetricName("a:b_c"));
  EXPECT_FALSE(IsValidMetricName(""));
}

}  // namespace
}  // namespace tocsin
