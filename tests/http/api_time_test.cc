#include "agent/http/api_time.h"

#include <gtest/gtest.h>

namespace tocsin {
namespace {

TEST(ApiTimeTest, UnixSecondsAndRfc3339) {
  EXPECT_EQ(*ParseApiTime("1435781451.781"), 1435781451781);
  EXPECT_EQ(*ParseApiTime("0"), 0);
  EXPECT_EQ(*ParseApiTime("2015-07-01T20:10:51.781Z"), 1435781451781);
  EXPECT_EQ(*ParseApiTime("2015-07-01T20:10:51Z"), 1435781451000);
  EXPECT_EQ(*ParseApiTime("2015-07-01T22:10:51.7+02:00"), 1435781451700);
}

TEST(ApiTimeTest, RejectsGarbage) {
  for (const char* bad :
       {"", "abc", "2015-07-01", "2015-13-01T00:00:00Z", "2015-07-01T20:10:51", "NaN", "Inf"}) {
    EXPECT_FALSE(ParseApiTime(bad).ok()) << bad;
  }
}

TEST(ApiTimeTest, Durations) {
  EXPECT_EQ(*ParseApiDurationMs("15s"), 15000);
  EXPECT_EQ(*ParseApiDurationMs("0.5"), 500);
  EXPECT_EQ(*ParseApiDurationMs("60"), 60000);
  EXPECT_FALSE(ParseApiDurationMs("15x").ok());
}

}  // namespace
}  // namespace tocsin
