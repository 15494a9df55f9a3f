// Go's calendar arithmetic for time.Unix(sec, 0).UTC(), which Prometheus's date functions
// (year(), month(), hour(), days_in_month(), ...) are defined by.
//
// Go keeps a time as uint64 seconds since Jan 1 of year -292277022399 and lets that wrap, so
// every int64 has an answer: time.Unix(math.MinInt64, 0) is Dec 4 of year 292277026596, 15:30.
// This port reproduces Go 1.19's arithmetic (Debian's Prometheus 2.42; Go 1.23, which builds
// Prometheus 3.0, agrees except within 306 days of the wrap point near math.MinInt64, where
// its epoch moved to March 1).
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>

namespace tocsin {

struct GoCivilTime {
  int64_t year = 0;
  int month = 0;          // 1..12
  int day = 0;            // 1..31
  int weekday = 0;        // 0 = Sunday
  int year_day = 0;       // 1..366
  int hour = 0;           // 0..23
  int minute = 0;         // 0..59
  int days_in_month = 0;  // Prometheus's 32 - time.Date(year, month, 32, ...).Day()
};

GoCivilTime GoUnixUTC(int64_t sec);

}  // namespace tocsin
