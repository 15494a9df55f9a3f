#include "rules/template/go_time.h"

#include <array>
#include <cstdio>

namespace tocsin::rules::tmpl {
namespace {

constexpr std::array<const char*, 12> kMonths = {"January",   "February", "March",    "April",
                                                 "May",       "June",     "July",     "August",
                                                 "September", "October",  "November", "December"};
constexpr std::array<const char*, 7> kDays = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                              "Thursday", "Friday", "Saturday"};

struct Civil {
  int64_t year;
  int month;  // 1..12
  int day;    // 1..31
  int yday;   // 1..366
  int wday;   // 0 = Sunday
  int hour, minute, second, millis;
};

// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's civil_from_days).
Civil ToCivil(int64_t ms) {
  int64_t secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
  Civil c{};
  c.millis = static_cast<int>(ms - secs * 1000);
  int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
  int64_t rem = secs - days * 86400;
  c.hour = static_cast<int>(rem / 3600);
  c.minute = static_cast<int>(rem % 3600 / 60);
  c.second = static_cast<int>(rem % 60);
  c.wday = static_cast<int>(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  c.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  c.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  c.year = yoe + era * 400 + (c.month <= 2 ? 1 : 0);
  static constexpr int kCumulative[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
  bool leap = (c.year % 4 == 0 && c.year % 100 != 0) || c.year % 400 == 0;
  c.yday = kCumulative[c.month - 1] + c.day + (leap && c.month > 2 ? 1 : 0);
  return c;
}

std::string Pad(int64_t v, int width, char fill = '0') {
  std::string s = std::to_string(v < 0 ? -v : v);
  while (static_cast<int>(s.size()) < width) s.insert(s.begin(), fill);
  return v < 0 ? "-" + s : s;
}

bool Has(std::string_view layout, size_t i, std::string_view token) {
  return layout.substr(i, token.size()) == token;
}

// Fractional seconds for ".000"/",999"-style tokens: `digits` places; trimmed when `trim`.
std::string Fraction(int millis, char sep, size_t digits, bool trim) {
  std::string frac = Pad(millis, 3) + std::string(digits > 3 ? digits - 3 : 0, '0');
  frac.resize(digits);
  if (trim) {
    while (!frac.empty() && frac.back() == '0') frac.pop_back();
    if (frac.empty()) return "";
  }
  return std::string(1, sep) + frac;
}

}  // namespace

std::string GoTimeFormat(int64_t unix_ms, std::string_view layout) {
  Civil c = ToCivil(unix_ms);
  std::string out;
  size_t i = 0;
  while (i < layout.size()) {
    // Longest tokens first, as Go's nextStdChunk matches them.
    struct Token {
      std::string_view text;
      std::string value;
    };
    int hour12 = c.hour % 12 == 0 ? 12 : c.hour % 12;
    const Token tokens[] = {
        {"January", kMonths[c.month - 1]},
        {"Jan", std::string(kMonths[c.month - 1]).substr(0, 3)},
        {"Monday", kDays[c.wday]},
        {"Mon", std::string(kDays[c.wday]).substr(0, 3)},
        {"MST", "UTC"},
        {"2006", Pad(c.year, 4)},
        {"-07:00:00", "+00:00:00"},
        {"-070000", "+000000"},
        {"-07:00", "+00:00"},
        {"-0700", "+0000"},
        {"-07", "+00"},
        {"Z07:00:00", "Z"},
        {"Z070000", "Z"},
        {"Z07:00", "Z"},
        {"Z0700", "Z"},
        {"Z07", "Z"},
        {"__2", Pad(c.yday, 3, ' ')},
        {"002", Pad(c.yday, 3)},
        {"_2", Pad(c.day, 2, ' ')},
        {"01", Pad(c.month, 2)},
        {"02", Pad(c.day, 2)},
        {"03", Pad(hour12, 2)},
        {"04", Pad(c.minute, 2)},
        {"05", Pad(c.second, 2)},
        {"06", Pad(c.year % 100, 2)},
        {"15", Pad(c.hour, 2)},
        {"PM", c.hour >= 12 ? "PM" : "AM"},
        {"pm", c.hour >= 12 ? "pm" : "am"},
        {"1", std::to_string(c.month)},
        {"2", std::to_string(c.day)},
        {"3", std::to_string(hour12)},
        {"4", std::to_string(c.minute)},
        {"5", std::to_string(c.second)},
    };
    char ch = layout[i];
    if ((ch == '.' || ch == ',') && i + 1 < layout.size() &&
        (layout[i + 1] == '0' || layout[i + 1] == '9')) {
      char digit = layout[i + 1];
      size_t j = i + 1;
      while (j < layout.size() && layout[j] == digit) ++j;
      // Go: a run of 0s/9s after the separator is a fraction only if no digit follows.
      if (j >= layout.size() || layout[j] < '0' || layout[j] > '9') {
        out += Fraction(c.millis, ch, j - i - 1, digit == '9');
        i = j;
        continue;
      }
    }
    bool matched = false;
    for (const Token& t : tokens) {
      if (!Has(layout, i, t.text)) continue;
      // "Jan"/"Mon" only when not followed by a lower-case letter ("Janet" stays text).
      if ((t.text == "Jan" || t.text == "Mon") && i + 3 < layout.size() && layout[i + 3] >= 'a' &&
          layout[i + 3] <= 'z') {
        continue;
      }
      out += t.value;
      i += t.text.size();
      matched = true;
      break;
    }
    if (!matched) out += layout[i++];
  }
  return out;
}

std::string GoTimeString(int64_t unix_ms) {
  return GoTimeFormat(unix_ms, "2006-01-02 15:04:05.999999999 -0700 MST");
}

}  // namespace tocsin::rules::tmpl
