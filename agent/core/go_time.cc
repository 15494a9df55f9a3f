#include "agent/core/go_time.h"

namespace tocsin {
namespace {

constexpr int64_t kAbsoluteZeroYear = -292277022399;
constexpr uint64_t kSecondsPerDay = 86400;
constexpr uint64_t kSecondsPerWeek = 7 * kSecondsPerDay;
constexpr uint64_t kDaysPer400Years = 365 * 400 + 97;
constexpr uint64_t kDaysPer100Years = 365 * 100 + 24;
constexpr uint64_t kDaysPer4Years = 365 * 4 + 1;
// unixToInternal + internalToAbsolute: from the Unix epoch to Go's absolute epoch.
constexpr uint64_t kUnixToAbsolute = 9223372028715321600ULL;

// Days before the start of each month in a non-leap year (Go's daysBefore).
constexpr int kDaysBefore[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365};

bool IsLeap(int64_t year) { return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0); }

struct Date {
  int64_t year;
  int month;
  int day;
  int yday;  // 0-based
};

// Go's absDate(abs, full=true); all arithmetic is unsigned as in Go.
Date AbsDate(uint64_t abs) {
  uint64_t d = abs / kSecondsPerDay;
  uint64_t n = d / kDaysPer400Years;
  uint64_t y = 400 * n;
  d -= kDaysPer400Years * n;
  // The last day of a 400-year cycle's last century would count as a fifth century.
  n = d / kDaysPer100Years;
  n -= n >> 2;
  y += 100 * n;
  d -= kDaysPer100Years * n;
  n = d / kDaysPer4Years;
  y += 4 * n;
  d -= kDaysPer4Years * n;
  n = d / 365;
  n -= n >> 2;
  y += n;
  d -= 365 * n;

  Date out;
  out.year = static_cast<int64_t>(y) + kAbsoluteZeroYear;
  out.yday = static_cast<int>(d);
  int day = out.yday;
  if (IsLeap(out.year)) {
    if (day == 31 + 29 - 1) {
      out.month = 2;
      out.day = 29;
      return out;
    }
    if (day > 31 + 29 - 1) day--;  // pretend the leap day was not there
  }
  int month = day / 31;  // may be one month too low
  int begin = kDaysBefore[month];
  if (day >= kDaysBefore[month + 1]) {
    month++;
    begin = kDaysBefore[month];
  }
  out.month = month + 1;
  out.day = day - begin + 1;
  return out;
}

// Go's daysSinceEpoch(year).
uint64_t DaysSinceEpoch(int64_t year) {
  uint64_t y = static_cast<uint64_t>(year - kAbsoluteZeroYear);
  uint64_t n = y / 400;
  y -= 400 * n;
  uint64_t d = kDaysPer400Years * n;
  n = y / 100;
  y -= 100 * n;
  d += kDaysPer100Years * n;
  n = y / 4;
  y -= 4 * n;
  d += kDaysPer4Years * n;
  return d + 365 * y;
}

}  // namespace

GoCivilTime GoUnixUTC(int64_t sec) {
  // time.Time.abs(): the int64 sum wraps in Go; unsigned addition wraps the same way.
  const uint64_t abs = static_cast<uint64_t>(sec) + kUnixToAbsolute;
  GoCivilTime t;
  Date date = AbsDate(abs);
  t.year = date.year;
  t.month = date.month;
  t.day = date.day;
  t.year_day = date.yday + 1;
  t.hour = static_cast<int>(abs % kSecondsPerDay / 3600);
  t.minute = static_cast<int>(abs % 3600 / 60);
  // absWeekday: day 0 of the absolute epoch is a Monday.
  t.weekday = static_cast<int>((abs + kSecondsPerDay) % kSecondsPerWeek / kSecondsPerDay);
  // time.Date(year, month, 32, 0, 0, 0, 0, time.UTC).Day(): day 32 of the month is day
  // 32 - days_in_month of the next one.
  uint64_t days = DaysSinceEpoch(date.year) + static_cast<uint64_t>(kDaysBefore[date.month - 1]);
  if (IsLeap(date.year) && date.month >= 3) days++;
  days += 31;
  t.days_in_month = 32 - AbsDate(days * kSecondsPerDay).day;
  return t;
}

}  // namespace tocsin
