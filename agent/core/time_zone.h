// TimeZone: a named IANA time zone read from the system's zoneinfo files (TZif), for
// Alertmanager's time_intervals `location` (Go's time.LoadLocation).
//
// Load() reads $ZONEINFO/<name> or /usr/share/zoneinfo/<name>; "UTC" and "" are UTC and
// "Local" is /etc/localtime, as in Go. Offsets come from the file's transition table (Debian
// ships "fat" files with explicit transitions up to 2037; later instants keep the last offset).
// Immutable after Load(); safe to share across threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "agent/core/status.h"

namespace tocsin {

class TimeZone {
 public:
  static Result<std::shared_ptr<const TimeZone>> Load(std::string_view name);
  static std::shared_ptr<const TimeZone> Utc();

  // Seconds east of UTC in effect at the Unix time `unix_seconds`.
  int64_t OffsetAt(int64_t unix_seconds) const;
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  std::vector<int64_t> transitions_;   // sorted Unix seconds
  std::vector<int32_t> offset_after_;  // offset from transitions_[i] on
  int32_t offset_before_ = 0;          // before the first transition
};

}  // namespace tocsin
