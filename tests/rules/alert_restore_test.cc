// RestoreAlerts against Prometheus's RestoreForState rules (reference §2.6) on a fake timeline.
#include "rules/alert_restore.h"

#include <gtest/gtest.h>

namespace tocsin::rules {
namespace {

constexpr int64_t kMin = 60'000;

Alert Pending(int64_t active_min) {
  Alert a;
  a.labels = Labels{{"alertname", "A"}};
  a.state = AlertState::kPending;
  a.active_at = active_min * kMin;
  return a;
}

TEST(AlertRestore, PendingTimersFollowPrometheus) {
  RestoreOptions o{std::chrono::minutes(30), std::chrono::hours(1), std::chrono::minutes(10)};
  struct {
    int64_t active, saved, now;
    std::optional<int64_t> want_active;  // nullopt: dropped
  } cases[] = {
      {0, 5, 8, 3},                  // 25 m remaining >= grace: downtime (3 m) not counted
      {0, 25, 27, 27 + 10 - 30},     // 5 m remaining < grace: fires grace after restore
      {0, 40, 45, 0},                // already past `for`: fires at the next evaluation
      {0, 5, 5 + 61, std::nullopt},  // outage longer than the tolerance
  };
  for (const auto& c : cases) {
    auto out = RestoreAlerts({Pending(c.active)}, c.saved * kMin, c.now * kMin, o);
    SCOPED_TRACE(c.saved);
    if (!c.want_active) {
      EXPECT_TRUE(out.empty());
      continue;
    }
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].active_at, *c.want_active * kMin);
    EXPECT_EQ(out[0].state, AlertState::kPending);
  }
  // `for` shorter than the grace period: not restored (Prometheus skips such rules).
  RestoreOptions short_for{std::chrono::minutes(5), std::chrono::hours(1),
                           std::chrono::minutes(10)};
  EXPECT_TRUE(RestoreAlerts({Pending(0)}, kMin, 2 * kMin, short_for).empty());
}

TEST(AlertRestore, FiringAndResolvedAreKeptWithTheirTimestamps) {
  Alert f = Pending(0);
  f.state = AlertState::kFiring;
  f.fired_at = 5 * kMin;
  f.last_sent_at = 6 * kMin;
  f.valid_until = 10 * kMin;
  Alert r = f;
  r.labels = Labels{{"alertname", "B"}};
  r.state = AlertState::kInactive;
  r.resolved_at = 7 * kMin;
  RestoreOptions o{std::chrono::minutes(30), std::chrono::hours(1), std::chrono::minutes(10)};
  auto out = RestoreAlerts({f, r}, 7 * kMin, 200 * kMin, o);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].fired_at, f.fired_at);
  EXPECT_EQ(out[0].last_sent_at, f.last_sent_at);
  EXPECT_EQ(out[0].active_at, f.active_at);
  EXPECT_EQ(out[1].resolved_at, r.resolved_at);
}

}  // namespace
}  // namespace tocsin::rules
