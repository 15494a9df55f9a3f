#include "agent/runtime/scheduler.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "agent/core/fnv.h"
#include "agent/core/internal_errors.h"
#include "agent/store/default_labels_appender.h"

namespace tocsin {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Spreads collectors over their interval (as Prometheus offsets scrapes) so that they don't all
// wake at once; deterministic per name so restarts keep the phase.
std::chrono::milliseconds PhaseOffset(std::string_view name, std::chrono::milliseconds interval) {
  if (interval.count() <= 0) return std::chrono::milliseconds(0);
  uint64_t h = Fnv1a64(name);
  // At most a tenth of the interval, so the first collection comes soon after start.
  return std::chrono::milliseconds(h % (interval.count() / 10 + 1));
}

}  // namespace

Scheduler::Scheduler(SeriesStore& store, const Clock& clock, size_t workers)
    : store_(store), clock_(clock), worker_count_(std::max<size_t>(1, workers)) {
  heartbeat_ns_ = SteadyClock::now().time_since_epoch().count();
}

Scheduler::~Scheduler() { Stop(); }

void Scheduler::Start() {
  std::lock_guard lock(mu_);
  if (started_) return;
  started_ = true;
  loop_thread_ = std::thread([this] { Loop(); });
  housekeeping_thread_ = std::thread([this] { HousekeepingLoop(); });
  for (size_t i = 0; i < worker_count_; ++i) workers_.emplace_back([this] { Work(); });
}

void Scheduler::Stop() {
  {
    std::lock_guard lock(mu_);
    if (!started_ || stopping_) return;
    stopping_ = true;
    jobs_.clear();
  }
  stop_source_.request_stop();
  cv_.notify_all();
  jobs_cv_.notify_all();
  housekeeping_cv_.notify_all();
  if (loop_thread_.joinable()) loop_thread_.join();
  if (housekeeping_thread_.joinable()) housekeeping_thread_.join();
  for (auto& w : workers_) {
    if (w.joinable()) w.join();
  }
}

void Scheduler::SetCollectors(std::vector<ScheduledCollector> collectors, Labels target_labels) {
  std::set<std::string> gone;
  {
    std::lock_guard lock(mu_);
    for (const Entry& e : entries_) gone.insert(std::string(e.collector->name()));
    std::vector<Entry> next;
    auto now = SteadyClock::now();
    for (auto& sc : collectors) {
      Entry e;
      std::string name(sc.collector->name());
      gone.erase(name);
      e.interval = sc.interval;
      e.timeout = sc.timeout.count() > 0 ? std::min(sc.timeout, sc.interval) : sc.interval;
      e.collector = std::shared_ptr<Collector>(std::move(sc.collector));
      e.next_run = now + PhaseOffset(name, e.interval);
      e.running = std::make_shared<std::atomic<bool>>(false);
      e.stats = std::make_shared<CollectorStats>();
      e.stats->name = name;
      e.target_labels = target_labels;
      // Keep counters of a collector that survives a reload under the same name.
      for (const Entry& old : entries_) {
        if (old.collector->name() == name) {
          std::lock_guard slock(stats_mu_);
          *e.stats = *old.stats;
        }
      }
      next.push_back(std::move(e));
    }
    entries_ = std::move(next);
  }
  TimestampMs now_ms = clock_.NowMs();
  for (const std::string& name : gone) store_.MarkSourceStale(name, now_ms);
  cv_.notify_all();
}

void Scheduler::AddHousekeeping(std::chrono::milliseconds interval, std::function<void()> task) {
  std::lock_guard lock(mu_);
  housekeeping_.push_back({interval, SteadyClock::now() + interval, std::move(task)});
  housekeeping_cv_.notify_all();
}

std::vector<CollectorStats> Scheduler::Stats() const {
  std::vector<CollectorStats> out;
  std::lock_guard lock(mu_);
  std::lock_guard slock(stats_mu_);
  for (const Entry& e : entries_) out.push_back(*e.stats);
  return out;
}

SteadyClock::time_point Scheduler::LastHeartbeat() const {
  return SteadyClock::time_point(SteadyClock::duration(heartbeat_ns_.load()));
}

bool Scheduler::AllCollectedOnce() const {
  std::lock_guard lock(mu_);
  std::lock_guard slock(stats_mu_);
  return std::all_of(entries_.begin(), entries_.end(),
                     [](const Entry& e) { return e.stats->runs > 0; });
}

void Scheduler::Loop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    auto now = SteadyClock::now();
    heartbeat_ns_ = now.time_since_epoch().count();
    // Wake at least once a second so the heartbeat stays fresh while idle.
    auto wake = now + std::chrono::seconds(1);
    for (Entry& e : entries_) {
      if (e.next_run <= now) {
        if (e.running->exchange(true)) {
          std::lock_guard slock(stats_mu_);
          ++e.stats->skipped;
        } else {
          jobs_.push_back({e.collector, e.timeout, e.running, e.stats, e.target_labels});
          jobs_cv_.notify_one();
        }
        // Stay on the original grid; skip slots that are already in the past.
        do {
          e.next_run += e.interval;
        } while (e.next_run <= now);
      }
      wake = std::min(wake, e.next_run);
    }
    cv_.wait_until(lock, wake, [&] { return stopping_; });
  }
}

void Scheduler::HousekeepingLoop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    auto now = SteadyClock::now();
    auto wake = now + std::chrono::seconds(1);
    std::vector<std::function<void()>> due;
    for (Housekeeping& h : housekeeping_) {
      if (h.next_run <= now) {
        due.push_back(h.task);
        while (h.next_run <= now) h.next_run += h.interval;
      }
      wake = std::min(wake, h.next_run);
    }
    if (!due.empty()) {
      // Housekeeping reads only its own captures; run it without holding the lock.
      lock.unlock();
      for (auto& task : due) Guarded("scheduler", task);
      lock.lock();
      continue;
    }
    housekeeping_cv_.wait_until(lock, wake, [&] { return stopping_; });
  }
}

void Scheduler::Work() {
  while (true) {
    Job job;
    {
      std::unique_lock lock(mu_);
      jobs_cv_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
      if (stopping_) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    if (!Guarded("scheduler", [&] { RunJob(job); })) {
      std::lock_guard lock(stats_mu_);
      ++job.stats->runs;
      ++job.stats->failures;
      job.stats->last_success = false;
    }
    job.running->store(false);
  }
}

void Scheduler::RunJob(const Job& job) {
  auto start = SteadyClock::now();
  CollectContext ctx;
  ctx.now_ms = clock_.NowMs();
  ctx.deadline = start + job.timeout;
  ctx.stop = stop_source_.get_token();
  std::string name(job.collector->name());
  std::unique_ptr<Appender> appender = store_.NewAppender(name, ctx.now_ms);
  if (!job.target_labels.empty()) {
    appender = std::make_unique<DefaultLabelsAppender>(std::move(appender), job.target_labels);
  }
  Status st = job.collector->Collect(ctx, *appender);
  auto end = SteadyClock::now();
  if (st.ok() && end > ctx.deadline) {
    st = DeadlineExceeded("collection took longer than its timeout of " +
                          std::to_string(job.timeout.count()) + "ms");
  }
  uint64_t samples = 0;
  if (st.ok()) {
    auto committed = appender->Commit();
    if (committed.ok()) {
      samples = committed->appended;
    } else {
      st = committed.status();
    }
  } else {
    appender->Rollback();
  }
  double seconds = std::chrono::duration<double>(end - start).count();
  {
    std::lock_guard lock(stats_mu_);
    CollectorStats& s = *job.stats;
    ++s.runs;
    s.last_duration_seconds = seconds;
    s.duration_seconds_sum += seconds;
    s.last_success = st.ok();
    s.last_run_ms = ctx.now_ms;
    s.last_samples = samples;
    if (!st.ok()) ++s.failures;
  }
  if (!st.ok()) spdlog::warn("collector {} failed: {}", name, st.message());
}

}  // namespace tocsin
