#include "agent/core/go_time.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace tocsin {
namespace {

struct Golden {
  int64_t sec;
  int64_t year;
  int month, day, weekday, year_day, hour, minute, days_in_month;
};

// Printed by Go 1.19: t := time.Unix(sec, 0).UTC(); t.Year(), t.Month(), t.Day(), t.Weekday(),
// t.YearDay(), t.Hour(), t.Minute(), 32 - time.Date(t.Year(), t.Month(), 32, 0, 0, 0, 0,
// time.UTC).Day(). The first four rows are past Go's uint64 wrap (real Prometheus 2.42 answers
// year(vector(NaN)) with 292277026596); the third shows time.Date's own wrap (days_in_month 9).
const Golden kGolden[] = {
    {INT64_MIN, 292277026596, 12, 4, 0, 339, 15, 30, 31},
    {INT64_MIN + 1, 292277026596, 12, 4, 0, 339, 15, 30, 31},
    {-9223372028715321601LL, 292277026854, 11, 9, 0, 313, 7, 0, 9},
    {-9223372028715321600LL, -292277022399, 1, 1, 1, 1, 0, 0, 31},
    {-9200000000000000000LL, -291536392293, 5, 3, 2, 123, 12, 26, 31},
    {-62135596801LL, 0, 12, 31, 0, 366, 23, 59, 31},
    {-62135596800LL, 1, 1, 1, 1, 1, 0, 0, 31},
    {-1LL, 1969, 12, 31, 3, 365, 23, 59, 31},
    {0LL, 1970, 1, 1, 4, 1, 0, 0, 31},
    {951782400LL, 2000, 2, 29, 2, 60, 0, 0, 29},
    {951868799LL, 2000, 2, 29, 2, 60, 23, 59, 29},
    {951868800LL, 2000, 3, 1, 3, 61, 0, 0, 31},
    {4107456000LL, 2100, 2, 28, 0, 59, 0, 0, 28},
    {4107542400LL, 2100, 3, 1, 1, 60, 0, 0, 31},
    {1709164800LL, 2024, 2, 29, 4, 60, 0, 0, 29},
    {1796630993LL, 2026, 12, 7, 1, 341, 8, 9, 31},
    {253402300800LL, 10000, 1, 1, 6, 1, 0, 0, 31},
    {9200000000000000000LL, 291536396232, 8, 31, 5, 244, 11, 33, 31},
    {INT64_MAX, 292277026596, 12, 4, 0, 339, 15, 30, 31},
};

TEST(GoTimeTest, MatchesGoTimeUnixUTC) {
  for (const Golden& g : kGolden) {
    GoCivilTime t = GoUnixUTC(g.sec);
    EXPECT_EQ(t.year, g.year) << g.sec;
    EXPECT_EQ(t.month, g.month) << g.sec;
    EXPECT_EQ(t.day, g.day) << g.sec;
    EXPECT_EQ(t.weekday, g.weekday) << g.sec;
    EXPECT_EQ(t.year_day, g.year_day) << g.sec;
    EXPECT_EQ(t.hour, g.hour) << g.sec;
    EXPECT_EQ(t.minute, g.minute) << g.sec;
    EXPECT_EQ(t.days_in_month, g.days_in_month) << g.sec;
  }
}

}  // namespace
}  // namespace tocsin
