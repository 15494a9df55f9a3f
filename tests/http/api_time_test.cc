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

// Found by the fuzzer: a time past int64 milliseconds (or so close to it that the engine's
// lookback leaves int64) was accepted and overflowed in evaluation.
TEST(ApiTimeTest, RejectsTimesOutOfRange) {
  EXPECT_EQ(*ParseApiTime("-9200000000000000"), -9'200'000'000'000'000'000);
  for (const char* bad : {"9223372036854775", "-9223372036854775", "1e300", "9.3e15"}) {
    EXPECT_FALSE(ParseApiTime(bad).ok()) << bad;
  }
}

TEST(ApiTimeTest, Durations) {
  EXPECT_EQ(*ParseApiDurationMs("15s"), 15000);
  EXPECT_EQ(*ParseApiDurationMs("0.5"), 500);
  EXPECT_EQ(*ParseApiDurationMs("60"), 60000);
  EXPECT_FALSE(ParseApiDurationMs("15x").ok());
  EXPECT_EQ(ParseApiDurationMs("1e300").status().message(),
            "cannot parse \"1e300\" to a valid duration. It overflows int64");
}

}  // namespace
}  // namespace tocsin
