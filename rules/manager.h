// Manager: the daemon's rule manager. Loads the rule files matched by `rule_files` globs, runs
// each group on its own thread at aligned slots (k·interval + hash(file;group) mod interval,
// one evaluation timestamp per group evaluation, as Prometheus), optionally also right after
// a store commit that wrote a metric the group reads (event-driven, the default), writes recording
// rules and ALERTS/ALERTS_FOR_STATE back into the store, hands alerts to the NotifyFn after each
// evaluation (Prometheus's sendAlerts: external labels added, startsAt = FiredAt, endsAt =
// ResolvedAt or ValidUntil), persists alert state per group (alert_state_file.h) and restores it at
// start (alert_restore.h).
//
// Update() is all-or-nothing: a rule file that does not load leaves the running groups
// untouched. Rules whose identity (group, name, labels) survives an Update keep their alerts.
//
// Thread-safety: every public method may be called from any thread. OnCommit is cheap (a flag
// and a condition variable; evaluation happens on the group's own thread). The NotifyFn is
// called on group threads, never with a manager lock held. Borrowed engine, store and clock
// must outlive the manager.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "agent/core/alert.h"
#include "agent/core/clock.h"
#include "agent/core/labels.h"
#include "agent/core/status.h"
#include "agent/promql/engine.h"
#include "agent/store/series_store.h"
#include "rules/alert_state_file.h"
#include "rules/rules_snapshot.h"

namespace tocsin::rules {

// What a configuration decides; may change with each Update.
struct ManagerSettings {
  std::vector<std::string> rule_files;  // globs (absolute, or relative to the working dir)
  std::chrono::milliseconds default_interval{15000};
  Labels external_labels;
  std::string external_url;
  std::chrono::milliseconds resend_delay{60000};
  std::chrono::milliseconds outage_tolerance{3600000};
  std::chrono::milliseconds grace_period{600000};
  bool event_driven = true;
  // global.retention: rules reading further back are logged at load and marked in the
  // snapshot (rules/retention_check.h). 0 = unknown, no check.
  std::chrono::milliseconds retention{0};
};

struct ManagerDeps {
  const promql::Engine* engine = nullptr;
  SeriesStore* store = nullptr;
  const Clock* clock = nullptr;
  std::string state_dir;    // alert state goes to <state_dir>/rules; empty: not persisted
  tocsin::NotifyFn notify;  // optional (alerts to the dispatcher)
  bool log_handoff = true;  // one "alert hand-off" info log line per alert handed off
};

// Minimum spacing of event-driven evaluations of one group (bursts of commits coalesce).
inline constexpr std::chrono::milliseconds kEventMinGap{20};

class Manager {
 public:
  explicit Manager(ManagerDeps deps);
  ~Manager();
  Manager(const Manager&) = delete;
  Manager& operator=(const Manager&) = delete;

  // Loads the rule files and replaces the running groups (threads restart if started). The
  // first successful Update restores persisted alert state.
  Status Update(const ManagerSettings& settings);
  // The two halves of Update, for a reload that must be all-or-nothing across stages: loads
  // and validates the rule files and returns the swap that installs them. Nothing changes
  // until the swap runs; the swap cannot fail and must run at most once, while the manager
  // is alive.
  Result<std::function<void()>> Prepare(const ManagerSettings& settings);
  // Starts the group threads (groups added later start at once).
  void Start();
  // Stops and joins every group thread. Idempotent.
  void Stop();

  // The store's commit listener: wakes the event-driven groups whose selectors read one of
  // `metric_names` (rules/wake_filter.h), except the group that made the commit. Recording
  // rules and ALERTS written by one group thus wake the groups that read them. What a source's
  // names wake is cached per CommitNames pointer, so a steady source costs one map lookup.
  void OnCommit(std::string_view source, const CommitNames& metric_names);

  RulesSnapshot Snapshot() const;

  // Tests: evaluates every group once at `ts` on the calling thread (threads not started).
  void EvalAllAt(TimestampMs ts);

 private:
  class Runner;
  void Install(std::vector<RuleFile> loaded, const ManagerSettings& settings);
  struct Shared;

  ManagerDeps deps_;
  std::shared_ptr<Shared> shared_;
  std::mutex update_mu_;  // serialises Update/Start/Stop
  mutable std::shared_mutex runners_mu_;
  std::vector<std::unique_ptr<Runner>> runners_;
  // Per commit source: the names it last committed and the runners they wake. Cleared with
  // every change of runners_ (under runners_mu_ held exclusively); else guarded by wake_mu_.
  struct WakeEntry {
    CommitNames names;
    std::vector<Runner*> runners;
  };
  std::mutex wake_mu_;
  std::unordered_map<std::string, WakeEntry> wake_cache_;
  bool started_ = false;
  bool state_loaded_ = false;
};

}  // namespace tocsin::rules
