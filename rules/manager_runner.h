// Internals of the rule manager (manager.cc): the state its group runners share, and the runner
// that evaluates one group on its own thread. Included by manager.cc and manager_runner.cc only.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "agent/core/rate_limiter.h"
#include "rules/alert_restore.h"
#include "rules/group.h"
#include "rules/manager.h"
#include "rules/wake_filter.h"

namespace tocsin::rules {

// Shared by the manager and every runner (a runner may outlive a reload that dropped it).
// Thread-safe: counters are atomic, the maps and the limiter have their mutexes.
struct Manager::Shared {
  ManagerDeps deps;
  AlertStateDir state_dir{""};
  std::atomic<uint64_t> notifications{0};
  std::atomic<uint64_t> state_load_errors{0};
  std::atomic<uint64_t> state_write_errors{0};
  std::atomic<uint64_t> state_writes{0};
  std::mutex log_mu;
  RateLimiter log_limiter{std::chrono::seconds(60)};
  std::mutex saved_mu;
  std::map<std::pair<std::string, std::string>, PersistedGroup> saved;  // restored at start

  // Logs a warning at most once a minute per key, counting the suppressed ones.
  void LogLimited(const std::string& key, const std::string& msg);
};

// One group: its evaluator, its thread and its bookkeeping. Owned by the Manager; its thread
// runs Loop() between Start() and Stop(). mu() guards the group and the evaluation fields.
class Manager::Runner {
 public:
  Runner(std::shared_ptr<Shared> shared, GroupSpec spec, std::string file,
         const ManagerSettings& settings);

  ~Runner() { Stop(); }

  using Deps = ManagerDeps;
  const std::string& file() const { return file_; }
  const std::string& name() const { return name_; }
  Group& group() { return *group_; }
  std::mutex& mu() { return mu_; }

  // Copies alert state from `old` (same file and group name) for rules whose identity matches.
  void CopyStateFrom(Runner& old);

  // Restores persisted alert state at the first evaluation at `now` (caller holds mu_).
  void RestoreLocked(TimestampMs now);

  // One evaluation at `ts` (clamped to be after the previous one); notifies and persists.
  void EvalAt(TimestampMs ts, bool event);

  void Start(bool event_driven);

  void Stop();

  void Trigger();

  bool event_driven() const { return settings_.event_driven; }

  GroupSnapshot Snapshot();

  // Source names of this group's rules (for stale markers when it goes away).
  std::vector<std::string> Sources();
  // Whether `source` is one of this group's rules (its own commits never wake it).
  bool OwnsSource(std::string_view source) const;
  // The metric names this group's selectors read (event-driven wake-ups).
  const WakeFilter& wake_filter() const { return wake_filter_; }

 private:
  void Collect(const std::string& expr, const std::vector<Alert>& alerts);

  void Handoff(std::vector<tocsin::Alert> alerts);

  PersistedGroup StateLocked(TimestampMs ts);

  TimestampMs NextSlot(TimestampMs now) const;

  void Loop();

  std::shared_ptr<Shared> shared_;
  std::string file_;
  std::string name_;
  ManagerSettings settings_;
  std::unique_ptr<Group> group_;
  int64_t offset_ = 0;
  WakeFilter wake_filter_;

  std::mutex mu_;  // guards group_ and the fields below
  std::vector<tocsin::Alert> pending_;
  TimestampMs last_ts_ = 0;
  double last_duration_s_ = 0;
  uint64_t iterations_ = 0;
  uint64_t missed_ = 0;
  uint64_t event_evals_ = 0;
  bool restored_ = false;
  std::string last_saved_key_;
  TimestampMs last_saved_at_ = 0;

  std::mutex wake_mu_;  // guards stop_, triggered_
  std::condition_variable wake_;
  bool stop_ = false;
  bool triggered_ = false;
  bool event_driven_ = false;
  std::thread thread_;
};

}  // namespace tocsin::rules
