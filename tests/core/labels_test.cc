#include "agent/core/labels.h"

#include <gtest/gtest.h>

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

TEST(LabelsTest, NameValidity) {
  EXPECT_TRUE(IsValidLabelName("_a1"));
  EXPECT_FALSE(IsValidLabelName("1a"));
  EXPECT_FALSE(IsValidLabelName("a:b"));
  EXPECT_TRUE(IsValidMetricName("a:b_c"));
  EXPECT_FALSE(IsValidMetricName(""));
}

}  // namespace
}  // namespace tocsin
