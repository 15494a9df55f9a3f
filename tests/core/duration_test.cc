#include "agent/core/duration.h"

#include <gtest/gtest.h>

namespace tocsin {
namespace {

using std::chrono::milliseconds;

TEST(DurationTest, ParsesPrometheusForms) {
  struct Case {
    const char* text;
    int64_t ms;
  } cases[] = {{"0", 0},          {"0s", 0},          {"15s", 15000},
               {"500ms", 500},    {"1h30m", 5400000}, {"2d", 172800000},
               {"1w", 604800000}, {"1y", 31536000000}, {"1m1s1ms", 61001}};
  for (const auto& c : cases) {
    auto d = ParseDuration(c.text);
    ASSERT_TRUE(d.ok()) << c.text << ": " << d.status().ToString();
    EXPECT_EQ(d->count(), c.ms) << c.text;
  }
}

TEST(DurationTest, RejectsMalformed) {
  for (const char* text : {"", "15", "s", "1.5s", "-1s", "1s1m", "1m1m", "1x", "10 s", "1h 5m"}) {
    EXPECT_FALSE(ParseDuration(text).ok()) << text;
  }
  EXPECT_EQ(ParseDuration("1q").status().message(), "not a valid duration string: \"1q\"");
}

TEST(DurationTest, FormatsLikePrometheus) {
  EXPECT_EQ(FormatDuration(milliseconds(0)), "0s");
  EXPECT_EQ(FormatDuration(milliseconds(5400000)), "1h30m");
  EXPECT_EQ(FormatDuration(milliseconds(500)), "500ms");
  EXPECT_EQ(FormatDuration(milliseconds(604800000)), "1w");
  EXPECT_EQ(FormatDuration(milliseconds(8 * 86400000LL)), "8d");  // weeks only when exact
}

}  // namespace
}  // namespace tocsin
