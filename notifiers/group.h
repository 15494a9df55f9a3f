// AggregationGroup: the alerts of one route that share the route's group_by label values, with
// Alertmanager's timers (group_wait before the first flush, then a flush every group_interval)
// and, per integration, the notification log that decides whether a flush notifies
// (new firing alerts, newly resolved ones with send_resolved, or repeat_interval elapsed).
//
// Owned and driven by the Dispatcher under its lock; not synchronised itself. All times come
// from the caller (the dispatcher's Clock): `now` is wall time (alert times, the notification
// log), `mono` the monotonic clock in ms, which alone drives the flush timers.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "agent/core/alert.h"
#include "agent/core/clock.h"
#include "notifiers/route.h"

namespace tocsin {

class AggregationGroup {
 public:
  AggregationGroup(const Route* route, Labels group_labels, int64_t mono);

  // Inserts or merges an alert (by fingerprint). A new group flushes after group_wait; an alert
  // whose startsAt + group_wait is already past flushes a group that has not flushed yet at once.
  void Insert(const Alert& alert, TimestampMs now, int64_t mono);

  bool Due(int64_t mono) const { return mono >= next_flush_; }
  int64_t next_flush() const { return next_flush_; }  // monotonic ms

  // The alerts as of `now`, frozen Alertmanager-style (firing ones get ends_at = 0), and
  // reschedules the next flush at mono + group_interval. In Alertmanager's order: by job,
  // instance, then label set.
  std::vector<Alert> Flush(TimestampMs now, int64_t mono);
  // After a flush was handed on: removes the resolved alerts of `flushed` that were not updated
  // since (Alertmanager's DeleteIfNotModified).
  void RemoveResolved(const std::vector<Alert>& flushed, TimestampMs now);
  bool empty() const { return alerts_.empty(); }
  size_t size() const { return alerts_.size(); }

  // Alertmanager's DedupStage.needsUpdate for one integration, given the alerts it would be
  // sent after muting and send_resolved filtering.
  struct Sent {
    std::set<uint64_t> firing;
    std::set<uint64_t> resolved;
    TimestampMs at = 0;
  };
  bool NeedsUpdate(const std::string& integration, const std::set<uint64_t>& firing,
                   const std::set<uint64_t>& resolved, bool send_resolved, TimestampMs now) const;
  void RecordSent(const std::string& integration, std::set<uint64_t> firing,
                  std::set<uint64_t> resolved, TimestampMs now);

  // The notification log, to carry over a reload (Alertmanager keeps its nflog apart from the
  // dispatcher, so a resolve after a reload is still sent).
  const std::map<std::string, Sent>& notification_log() const { return nflog_; }
  void RestoreLog(const std::string& integration, Sent sent) {
    nflog_[integration] = std::move(sent);
  }

  const Route* route() const { return route_; }
  const Labels& group_labels() const { return group_labels_; }
  // `<route key>:<group labels>`, Alertmanager's group key.
  const std::string& key() const { return key_; }

 private:
  const Route* route_;
  Labels group_labels_;
  std::string key_;
  std::map<uint64_t, Alert> alerts_;
  std::map<uint64_t, TimestampMs> updated_at_;
  int64_t next_flush_;  // monotonic ms
  bool has_flushed_ = false;
  std::map<std::string, Sent> nflog_;
};

// Merges `incoming` into `existing` as Alertmanager's alert store does: an overlapping update
// keeps the earliest startsAt and takes the newer endsAt; otherwise it replaces.
Alert MergeAlert(const Alert& existing, const Alert& incoming, TimestampMs now);

}  // namespace tocsin
