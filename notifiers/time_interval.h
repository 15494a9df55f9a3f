// TimeIntervals: Alertmanager's named time intervals (config time_intervals /
// mute_time_intervals) compiled for lookups, and the test the dispatcher makes at flush time for
// a route's mute_time_intervals / active_time_intervals.
//
// ContainsTime follows Alertmanager 0.25's timeinterval.ContainsTime exactly, including how it
// counts the days of a month for negative days_of_month (whole 24-hour days between the local
// midnights that start this month and the next, so a month with a DST change counts one less).
// Immutable after Build(); safe to share across threads.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "agent/core/clock.h"
#include "agent/core/status.h"
#include "agent/core/time_zone.h"
#include "notifiers/config.h"

namespace tocsin {

// True when `t` falls inside `interval`, evaluated in `zone` (UTC when null).
bool TimeIntervalContains(const TimeIntervalConfig& interval, const TimeZone* zone, TimestampMs t);

class TimeIntervals {
 public:
  // Loads every interval's location; fails on an unknown time zone.
  static Result<TimeIntervals> Build(
      const std::map<std::string, std::vector<TimeIntervalConfig>>& config);

  // True when any entry of any named interval contains `t`; unknown names contain nothing.
  bool AnyContains(const std::vector<std::string>& names, TimestampMs t) const;

  // Alertmanager's TimeMuteStage and TimeActiveStage together: muted when a mute interval is
  // active, or when active intervals are listed and none is.
  bool Mutes(const std::vector<std::string>& mute, const std::vector<std::string>& active,
             TimestampMs t) const;

 private:
  struct Entry {
    TimeIntervalConfig config;
    std::shared_ptr<const TimeZone> zone;
  };
  std::map<std::string, std::vector<Entry>> intervals_;
};

}  // namespace tocsin
