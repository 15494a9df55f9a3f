#include "agent/runtime/daemon.h"

#include <signal.h>
#include <spdlog/spdlog.h>

#include "agent/core/internal_errors.h"
#include "agent/runtime/signals.h"

namespace tocsin {

Daemon::Daemon(Config initial, DaemonHooks hooks, Scheduler& scheduler, SystemdNotifier& notifier,
               const Clock& clock)
    : hooks_(std::move(hooks)),
      scheduler_(scheduler),
      notifier_(notifier),
      clock_(clock),
      config_(std::make_shared<const Config>(std::move(initial))) {}

Daemon::~Daemon() { StopReloader(); }

Status Daemon::Start() {
  TOCSIN_RETURN_IF_ERROR(Apply(*config_));
  scheduler_.Start();
  reloader_ = std::thread([this] { ReloaderLoop(); });
  {
    std::lock_guard lock(mu_);
    reload_.last_success_ms = clock_.NowMs();
  }
  return Status::Ok();
}

Status Daemon::Apply(const Config& config) {
  // Everything that can fail runs before anything is swapped in.
  auto collectors = hooks_.build_collectors(config);
  if (!collectors.ok()) return collectors.status();
  std::vector<std::function<void()>> swaps;
  for (const DaemonHooks::Prepare* prepare : {&hooks_.prepare_rules, &hooks_.prepare_alerting,
                                              &hooks_.prepare_web, &hooks_.prepare_remote_write}) {
    if (!*prepare) continue;
    auto swap = (*prepare)(config);
    if (!swap.ok()) return swap.status();
    swaps.push_back(std::move(swap).value());
  }
  for (auto& swap : swaps) swap();
  scheduler_.SetCollectors(std::move(collectors).value(), TargetLabels(config));
  return Status::Ok();
}

Status Daemon::Reload() {
  std::lock_guard reload_lock(reload_mu_);
  notifier_.Reloading();
  spdlog::info("reloading configuration");
  Status st;
  auto loaded = hooks_.load_config();
  if (!loaded.ok()) {
    st = loaded.status();
  } else {
    const Config& old = *config();
    if (loaded->web.listen_address != old.web.listen_address) {
      spdlog::warn("web.listen_address changed to {}: takes effect after a restart",
                   loaded->web.listen_address);
    }
    if (loaded->web.query_timeout != old.web.query_timeout ||
        loaded->web.max_concurrent_queries != old.web.max_concurrent_queries) {
      spdlog::warn(
          "web.query_timeout / web.max_concurrent_queries changed: take effect after a "
          "restart");
    }
    if (loaded->web.enable_lifecycle != old.web.enable_lifecycle) {
      spdlog::warn("web.enable_lifecycle changed: takes effect after a restart");
    }
    if (loaded->state_dir != old.state_dir) {
      spdlog::warn("state_dir changed: takes effect after a restart");
    }
    st = Apply(*loaded);
  }
  {
    std::lock_guard lock(mu_);
    if (st.ok()) {
      config_ = std::make_shared<const Config>(std::move(loaded).value());
      reload_.last_successful = true;
      reload_.last_success_ms = clock_.NowMs();
      reload_.last_error.clear();
    } else {
      reload_.last_successful = false;
      ++reload_.failures;
      reload_.last_error = st.message();
    }
  }
  if (st.ok()) {
    spdlog::info("configuration reloaded");
    notifier_.Ready("Running; configuration reloaded");
  } else {
    spdlog::error("reload failed, keeping the running configuration:\n{}", st.message());
    notifier_.Ready("Running; last reload FAILED, running the previous configuration");
  }
  return st;
}

void Daemon::RequestReload() {
  {
    std::lock_guard lock(reloader_mu_);
    reload_requested_ = true;  // several signals during one reload coalesce into one more
  }
  reloader_cv_.notify_one();
}

void Daemon::ReloaderLoop() {
  std::unique_lock lock(reloader_mu_);
  while (true) {
    reloader_cv_.wait(lock, [this] { return reload_requested_ || reloader_stop_; });
    if (reloader_stop_) return;
    reload_requested_ = false;
    lock.unlock();
    Guarded("reload", [this] { (void)Reload(); });
    lock.lock();
  }
}

void Daemon::StopReloader() {
  {
    std::lock_guard lock(reloader_mu_);
    reloader_stop_ = true;
  }
  reloader_cv_.notify_one();
  if (reloader_.joinable()) reloader_.join();
}

void Daemon::RunUntilStopped() {
  auto watchdog = notifier_.WatchdogTimeout();
  auto tick = std::chrono::milliseconds(1000);
  if (watchdog) {
    tick = std::min(tick, std::chrono::duration_cast<std::chrono::milliseconds>(*watchdog / 2));
    if (tick.count() < 1) tick = std::chrono::milliseconds(1);
  }
  auto last_ping = std::chrono::steady_clock::time_point{};
  while (true) {
    int sig = WaitForDaemonSignal(tick);
    if (sig == SIGTERM || sig == SIGINT) {
      spdlog::info("received {}, shutting down", sig == SIGTERM ? "SIGTERM" : "SIGINT");
      return;
    }
    // The reload runs on its own thread: a slow one (a rule file on a hung NFS mount, a
    // collector that takes long to build) must not hold back the watchdog ping below.
    if (sig == SIGHUP) RequestReload();
    if (watchdog) {
      auto now = std::chrono::steady_clock::now();
      // Ping only while the scheduler is alive: a wedged scheduler must get us restarted.
      bool alive = now - scheduler_.LastHeartbeat() < *watchdog / 2;
      if (alive && now - last_ping >= *watchdog / 2) {
        notifier_.Watchdog();
        last_ping = now;
      } else if (!alive) {
        spdlog::error("scheduler heartbeat is stale; withholding the watchdog ping");
      }
    }
  }
}

void Daemon::Stop() {
  notifier_.Stopping();
  StopReloader();
  scheduler_.Stop();
}

ReloadStatus Daemon::reload_status() const {
  std::lock_guard lock(mu_);
  return reload_;
}

std::shared_ptr<const Config> Daemon::config() const {
  std::lock_guard lock(mu_);
  return config_;
}

}  // namespace tocsin
