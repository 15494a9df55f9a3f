// Dispatcher: receives alerts from the rule manager (NotifyFn) and delivers them as Alertmanager
// would: route tree -> aggregation groups (group_wait / group_interval / repeat_interval) ->
// inhibition and silences -> per-integration notification log -> one durable DeliveryWorker per
// receiver integration. Every alert is also forwarded, unrouted, to `alerting.alertmanagers`.
//
// Thread-safety: Receive(), Stats(), silences() and the NotifyFn are safe from any thread; the
// dispatcher's own thread runs Tick(). Tests may instead call Tick() and
// ProcessDeliveriesOnce() themselves without Start(). Ownership: the dispatcher owns routes,
// groups, silences, workers and notifiers; it borrows the Clock and the HttpClient, which must
// outlive it.
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "agent/core/alert.h"
#include "agent/core/clock.h"
#include "agent/core/status.h"
#include "agent/http_client/http_client.h"
#include "agent/http_client/smtp_client.h"
#include "notifiers/alertmanager/alertmanager_forwarder.h"
#include "notifiers/config.h"
#include "notifiers/delivery_worker.h"
#include "notifiers/group.h"
#include "notifiers/inhibit.h"
#include "notifiers/route.h"
#include "notifiers/silences.h"
#include "notifiers/stats.h"
#include "notifiers/time_interval.h"

namespace tocsin {

struct DispatcherOptions {
  // Where the notification queue (<state_dir>/notifications/) and silences
  // (<state_dir>/silences.json) live. Empty: in memory only (no durability).
  std::string state_dir;
  // Added to every alert that lacks them (Prometheus's global.external_labels).
  std::map<std::string, std::string> external_labels;
  // Sink for the log receiver's lines; empty logs through spdlog.
  std::function<void(const std::string&)> log_sink;
  // The SMTP transport of email receivers; null: libcurl's (CurlSmtpClient). Borrowed.
  SmtpClient* smtp = nullptr;
};

// What a reload carries from the old dispatcher to the new one: the alerts it knows and the
// notification log per (group key, integration id).
struct DispatcherState {
  std::vector<Alert> alerts;
  std::map<std::pair<std::string, std::string>, AggregationGroup::Sent> notification_log;
};

class Dispatcher {
 public:
  // Validates the config (receivers named by routes exist, secrets present, ...), builds the
  // route tree and one worker per integration, and recovers queued notifications and silences
  // from state_dir. Does not start threads.
  static Result<std::unique_ptr<Dispatcher>> Create(const AlertingConfig& config,
                                                    DispatcherOptions options, const Clock& clock,
                                                    HttpClient& http);
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  DispatcherState ExportState() const;
  // Before Start: takes over a previous dispatcher's alerts (routed through this one's tree;
  // groups whose alerts waited group_wait flush at once) and notification log.
  void ImportState(DispatcherState state);

  // Starts the dispatcher thread, one thread per integration and per Alertmanager.
  void Start();
  // Stops all threads; undelivered notifications stay in state_dir for the next start.
  void Stop();

  // The seam for the rule manager: forwards to Receive().
  NotifyFn AsNotifyFn();
  // Accepts alerts as Alertmanager's POST /api/v2/alerts does (endsAt in the past = resolved).
  void Receive(std::vector<Alert> alerts);
  // Flushes every group whose timer is due at the clock's now.
  void Tick();
  // Test helper: one delivery step on every worker (no threads). Returns the sends made.
  size_t ProcessDeliveriesOnce();
  // Test helper: sends one batch to each Alertmanager (no threads).
  size_t FlushAlertmanagersOnce() { return forwarder_->FlushOnce(); }

  Silences& silences() { return *silences_; }
  DispatcherStats Stats() const;
  // Notifications waiting in all queues.
  size_t PendingNotifications() const;
  // The monotonic ms of the earliest group flush; none without groups.
  std::optional<int64_t> NextFlush() const;

 private:
  std::optional<int64_t> NextFlushLocked() const;  // requires mu_
  // Routes an accepted alert into its groups.
  void RouteLocked(const Alert& a, TimestampMs now, int64_t mono);
  // Group timers run on the monotonic clock (ms): a stepped wall clock moves no flush.
  int64_t MonoMs() const;
  Dispatcher(const AlertingConfig& config, DispatcherOptions options, const Clock& clock,
             HttpClient& http);
  Status Init(const AlertingConfig& config);
  struct PendingEnqueue {
    DeliveryWorker* worker;
    Notification notification;
  };
  // Flushes `group`, appending the notifications to hand to the workers (after the lock).
  void FlushGroupLocked(AggregationGroup& group, TimestampMs now, std::vector<PendingEnqueue>& out);
  void TickLocked(TimestampMs now, std::vector<PendingEnqueue>& flushed);
  void Run();

  struct GroupId {
    const Route* route;
    std::string labels;
    friend auto operator<=>(const GroupId&, const GroupId&) = default;
  };
  struct Integration {
    DeliveryWorker* worker;
    std::string id;  // "<integration>[<index>]", the notification-log key
  };

  DispatcherOptions options_;
  const Clock& clock_;
  HttpClient& http_;
  std::string external_url_;
  std::chrono::milliseconds resolve_timeout_;
  std::unique_ptr<Route> route_;
  Inhibitor inhibitor_;
  TimeIntervals time_intervals_;
  std::unique_ptr<Silences> silences_;
  std::unique_ptr<AlertmanagerForwarder> forwarder_;
  std::vector<std::unique_ptr<DeliveryWorker>> workers_;
  std::map<std::string, std::vector<Integration>> receivers_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<uint64_t, Alert> alerts_;  // every known alert, for inhibition
  std::map<GroupId, std::unique_ptr<AggregationGroup>> groups_;
  DispatcherStats counters_;
  TimestampMs last_gc_ = 0;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace tocsin
