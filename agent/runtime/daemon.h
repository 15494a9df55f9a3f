// Daemon: the running agent's lifecycle — start, reload, watchdog, stop.
//
// Owns no stage itself: main builds the store, scheduler and HTTP server and hands them in with
// hooks that know how to (re)load the config and build collectors from it. Reload is
// all-or-nothing: an invalid config, or one whose collectors can't be built, leaves the running
// configuration untouched and is reported through ReloadStatus. Reload is thread-safe and
// serialised (SIGHUP hands it to a reload thread of the daemon's own, so the main thread keeps
// pinging the systemd watchdog; POST /-/reload runs it on an HTTP thread).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "agent/config/config.h"
#include "agent/core/clock.h"
#include "agent/core/status.h"
#include "agent/runtime/reload_status.h"
#include "agent/runtime/scheduler.h"
#include "agent/runtime/systemd_notify.h"
#include "collectors/collector.h"

namespace tocsin {

struct DaemonHooks {
  // Reads and validates the configuration again (from the file given at start, or the default).
  std::function<Result<Config>()> load_config;
  // Builds the collectors a configuration asks for.
  std::function<Result<std::vector<ScheduledCollector>>(const Config&)> build_collectors;
  // Optional stages beyond the collectors (rules, alerting): each validates the configuration
  // and returns the swap that installs it. Swaps run only after every stage accepted the
  // configuration, so a reload is all-or-nothing; a swap cannot fail.
  using Prepare = std::function<Result<std::function<void()>>(const Config&)>;
  Prepare prepare_rules;
  Prepare prepare_alerting;
  Prepare prepare_web;           // web.config_file: TLS certificates, basic-auth users, headers
  Prepare prepare_remote_write;  // remote_write and the external labels it applies
};

class Daemon {
 public:
  Daemon(Config initial, DaemonHooks hooks, Scheduler& scheduler, SystemdNotifier& notifier,
         const Clock& clock);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Builds the initial collectors and starts the scheduler.
  Status Start();
  // Re-reads the configuration and applies it, or keeps the running one on error.
  Status Reload();
  // Asks the reload thread for a Reload() and returns at once.
  void RequestReload();
  // Main-thread loop: handles SIGHUP (reload) and SIGTERM/SIGINT (returns), and pings the
  // systemd watchdog at half its timeout while the scheduler's heartbeat is fresh.
  void RunUntilStopped();
  void Stop();

  ReloadStatus reload_status() const;
  std::shared_ptr<const Config> config() const;

 private:
  Status Apply(const Config& config);
  void ReloaderLoop();
  void StopReloader();

  DaemonHooks hooks_;
  Scheduler& scheduler_;
  SystemdNotifier& notifier_;
  const Clock& clock_;
  mutable std::mutex mu_;
  std::mutex reload_mu_;
  std::shared_ptr<const Config> config_;
  ReloadStatus reload_;

  std::mutex reloader_mu_;
  std::condition_variable reloader_cv_;
  bool reload_requested_ = false;
  bool reloader_stop_ = false;
  std::thread reloader_;
};

}  // namespace tocsin
