// The one RFC 3339 parser/formatter, checked against what Go's time.Parse(time.RFC3339Nano) and
// Prometheus's API accept and reject.
#include "agent/core/rfc3339.h"

#include <gtest/gtest.h>

namespace tocsin {
namespace {

TimestampMs Parse(std::string_view s) {
  TimestampMs t = -1;
  EXPECT_TRUE(ParseRfc3339(s, &t)) << s;
  return t;
}

bool Rejects(std::string_view s) {
  TimestampMs t = 0;
  return !ParseRfc3339(s, &t);
}

TEST(Rfc3339Test, AcceptsWhatGoAccepts) {
  EXPECT_EQ(Parse("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(Parse("2024-05-01T12:00:00.123Z"), 1714564800123);
  EXPECT_EQ(Parse("2024-05-01T12:00:00.123456789Z"), 1714564800123);  // truncated to ms
  EXPECT_EQ(Parse("2024-05-01T14:00:00+02:00"), 1714564800000);
  EXPECT_EQ(Parse("2024-05-01T07:30:00-04:30"), 1714564800000);
  EXPECT_EQ(Parse("2024-02-29T00:00:00Z"), 1709164800000);  // leap year
  EXPECT_EQ(Parse("1969-12-31T23:59:59.999Z"), -1);
  EXPECT_EQ(Parse("9999-12-31T23:59:59Z"), 253402300799000);
}

TEST(Rfc3339Test, RejectsWhatGoRejects) {
  EXPECT_TRUE(Rejects("2024-02-31T00:00:00Z"));  // day out of range (timegm would roll to Mar 2)
  EXPECT_TRUE(Rejects("2023-02-29T00:00:00Z"));  // not a leap year
  EXPECT_TRUE(Rejects("2024-04-31T00:00:00Z"));
  EXPECT_TRUE(Rejects("2016-12-31T23:59:60Z"));  // Go has no leap seconds
  EXPECT_TRUE(Rejects("2024-13-01T00:00:00Z"));
  EXPECT_TRUE(Rejects("2024-05-01T24:00:00Z"));
  EXPECT_TRUE(Rejects("2024-05-01T12:00:00+24:00"));
  EXPECT_TRUE(Rejects("2024-05-01T12:00:00+01:60"));
  EXPECT_TRUE(Rejects("2024-05-01T12:00:00"));  // no zone
  EXPECT_TRUE(Rejects("2024-05-01T12:00:00.Z"));
  EXPECT_TRUE(Rejects("2024-05-01T12:00:00Zjunk"));
  EXPECT_TRUE(Rejects("2024-05-01"));
  EXPECT_TRUE(Rejects(""));
}

TEST(Rfc3339Test, FormatsMillisecondsInUtc) {
  EXPECT_EQ(FormatRfc3339(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatRfc3339(1714564800123), "2024-05-01T12:00:00.123Z");
  EXPECT_EQ(FormatRfc3339(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(Parse(FormatRfc3339(1714564800123)), 1714564800123);
}

}  // namespace
}  // namespace tocsin
