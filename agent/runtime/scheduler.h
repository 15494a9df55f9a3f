// Scheduler: runs each collector at its interval on a small worker pool, with a per-collection
// deadline, and commits what it collected into the store.
//
// One scheduling thread decides what is due; `workers` threads run collections, so one slow
// collector never delays the others (a collection still running at its next slot is skipped and
// counted). Collectors are replaced as a set on reload; in-flight collections of a replaced
// collector finish first. Housekeeping tasks (store compaction) run on a thread of their own,
// so a slow compaction neither delays collections nor stalls the heartbeat the watchdog reads.
// A collection or task that throws is counted as an internal error ("scheduler") and as a
// failed collection; the threads carry on. All public methods are thread-safe. The store and clock
// must outlive the Scheduler.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "agent/core/clock.h"
#include "agent/store/series_store.h"
#include "collectors/collector.h"

namespace tocsin {

struct CollectorStats {
  std::string name;
  uint64_t runs = 0;
  uint64_t failures = 0;
  uint64_t skipped = 0;  // slots missed because the previous run was still going
  double last_duration_seconds = 0;
  double duration_seconds_sum = 0;
  bool last_success = false;
  TimestampMs last_run_ms = 0;
  uint64_t last_samples = 0;
};

class Scheduler {
 public:
  Scheduler(SeriesStore& store, const Clock& clock, size_t workers = 4);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  void Start();
  void Stop();  // waits for in-flight collections; idempotent

  // Replaces all collectors. Series of collectors that are gone are marked stale. Every sample
  // a collector adds gets the `target_labels` it lacks (global.target_labels: job, instance).
  void SetCollectors(std::vector<ScheduledCollector> collectors, Labels target_labels = {});

  // Runs `task` every `interval` on the housekeeping thread (tasks run one after another).
  void AddHousekeeping(std::chrono::milliseconds interval, std::function<void()> task);

  std::vector<CollectorStats> Stats() const;

  // When the scheduling loop last went round; the watchdog pings systemd only while this is
  // fresh, so a wedged scheduler gets the daemon restarted.
  std::chrono::steady_clock::time_point LastHeartbeat() const;

  // True once every collector has completed at least one collection (for /-/ready).
  bool AllCollectedOnce() const;

 private:
  struct Entry {
    std::shared_ptr<Collector> collector;
    std::chrono::milliseconds interval;
    std::chrono::milliseconds timeout;
    std::chrono::steady_clock::time_point next_run;
    std::shared_ptr<std::atomic<bool>> running;
    std::shared_ptr<CollectorStats> stats;  // guarded by stats_mu_
    Labels target_labels;
  };
  struct Housekeeping {
    std::chrono::milliseconds interval;
    std::chrono::steady_clock::time_point next_run;
    std::function<void()> task;
  };
  struct Job {
    std::shared_ptr<Collector> collector;
    std::chrono::milliseconds timeout;
    std::shared_ptr<std::atomic<bool>> running;
    std::shared_ptr<CollectorStats> stats;
    Labels target_labels;
  };

  void Loop();
  void HousekeepingLoop();
  void Work();
  void RunJob(const Job& job);

  SeriesStore& store_;
  const Clock& clock_;
  size_t worker_count_;

  mutable std::mutex mu_;
  std::condition_variable cv_;       // wakes the scheduling loop
  std::condition_variable jobs_cv_;  // wakes workers
  std::condition_variable housekeeping_cv_;
  std::vector<Entry> entries_;
  std::vector<Housekeeping> housekeeping_;
  std::deque<Job> jobs_;
  bool stopping_ = false;
  bool started_ = false;

  mutable std::mutex stats_mu_;
  std::atomic<int64_t> heartbeat_ns_{0};
  std::stop_source stop_source_;
  std::thread loop_thread_;
  std::thread housekeeping_thread_;
  std::vector<std::thread> workers_;
};

}  // namespace tocsin
