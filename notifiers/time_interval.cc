#include "notifiers/time_interval.h"

#include <algorithm>

#include "agent/core/go_time.h"

namespace tocsin {
namespace {

bool InAny(const std::vector<InclusiveRange>& ranges, int64_t v) {
  return std::any_of(ranges.begin(), ranges.end(),
                     [v](const InclusiveRange& r) { return v >= r.begin && v <= r.end; });
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// The UTC instant of a wall-clock time (seconds as if UTC) in `zone`; one fixed-point step, as
// Go's time.Date resolves a local time.
int64_t LocalToUnix(const TimeZone* zone, int64_t local) {
  if (zone == nullptr) return local;
  int64_t guess = local - zone->OffsetAt(local);
  return local - zone->OffsetAt(guess);
}

// Alertmanager 0.25's daysInMonth: int(monthEnd.Sub(monthStart).Hours() / 24).
int DaysInMonthAsAlertmanager(const TimeZone* zone, int64_t local, const GoCivilTime& civil) {
  int64_t month_start =
      FloorDiv(local, 86400) * 86400 - static_cast<int64_t>(civil.day - 1) * 86400;
  int64_t next_month = month_start + static_cast<int64_t>(civil.days_in_month) * 86400;
  int64_t seconds = LocalToUnix(zone, next_month) - LocalToUnix(zone, month_start);
  return static_cast<int>(FloorDiv(seconds, 86400));
}

}  // namespace

bool TimeIntervalContains(const TimeIntervalConfig& ti, const TimeZone* zone, TimestampMs t) {
  int64_t unix = FloorDiv(t, 1000);
  int64_t local = unix + (zone != nullptr ? zone->OffsetAt(unix) : 0);
  GoCivilTime c = GoUnixUTC(local);
  if (!ti.times.empty()) {
    int minute = c.hour * 60 + c.minute;
    if (std::none_of(ti.times.begin(), ti.times.end(), [minute](const TimeRangeConfig& r) {
          return minute >= r.start_minute && minute < r.end_minute;
        })) {
      return false;
    }
  }
  if (!ti.days_of_month.empty()) {
    bool in = false;
    int days = DaysInMonthAsAlertmanager(zone, local, c);
    for (const InclusiveRange& r : ti.days_of_month) {
      int begin = r.begin < 0 ? days + r.begin + 1 : r.begin;
      int end = r.end < 0 ? days + r.end + 1 : r.end;
      if (begin > days) continue;
      begin = std::clamp(begin, -days, days);
      end = std::clamp(end, -days, days);
      if (c.day >= begin && c.day <= end) {
        in = true;
        break;
      }
    }
    if (!in) return false;
  }
  if (!ti.months.empty() && !InAny(ti.months, c.month)) return false;
  if (!ti.weekdays.empty() && !InAny(ti.weekdays, c.weekday)) return false;
  if (!ti.years.empty() && !InAny(ti.years, c.year)) return false;
  return true;
}

Result<TimeIntervals> TimeIntervals::Build(
    const std::map<std::string, std::vector<TimeIntervalConfig>>& config) {
  TimeIntervals out;
  for (const auto& [name, entries] : config) {
    std::vector<Entry>& compiled = out.intervals_[name];
    for (const TimeIntervalConfig& e : entries) {
      auto zone = TimeZone::Load(e.location);
      if (!zone.ok()) return zone.status().WithContext("time interval \"" + name + "\"");
      compiled.push_back({e, *zone});
    }
  }
  return out;
}

bool TimeIntervals::AnyContains(const std::vector<std::string>& names, TimestampMs t) const {
  for (const std::string& name : names) {
    auto it = intervals_.find(name);
    if (it == intervals_.end()) continue;
    for (const Entry& e : it->second) {
      if (TimeIntervalContains(e.config, e.zone.get(), t)) return true;
    }
  }
  return false;
}

bool TimeIntervals::Mutes(const std::vector<std::string>& mute,
                          const std::vector<std::string>& active, TimestampMs t) const {
  if (AnyContains(mute, t)) return true;
  return !active.empty() && !AnyContains(active, t);
}

}  // namespace tocsin
