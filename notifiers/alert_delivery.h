// AlertDelivery: the daemon's live Dispatcher, replaced as a whole when a reload changes the
// alerting configuration.
//
// Reload is two-phase so the daemon can keep it all-or-nothing: Prepare() validates a config by
// building a throw-away in-memory dispatcher (no threads, no state_dir) and returns the swap to
// run once every other stage accepted the config. The swap stops the running dispatcher first
// (its queue and silences are on disk), then starts one on the same state_dir, so two
// dispatchers never deliver from one queue. Notify/Stats/silence calls go to whichever
// dispatcher is current. Thread-safe.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>

#include "agent/core/alert.h"
#include "agent/core/clock.h"
#include "agent/core/status.h"
#include "agent/http_client/http_client.h"
#include "notifiers/config.h"
#include "notifiers/dispatcher.h"
#include "notifiers/silences_api.h"
#include "notifiers/stats.h"

namespace tocsin {

class AlertDelivery {
 public:
  AlertDelivery(const Clock& clock, HttpClient& http, std::string state_dir);
  ~AlertDelivery();
  AlertDelivery(const AlertDelivery&) = delete;
  AlertDelivery& operator=(const AlertDelivery&) = delete;

  // Validates `config`; on success returns the swap that installs it (cannot fail: a
  // dispatcher that cannot start on the state_dir is reported and alerts are then only logged).
  Result<std::function<void()>> Prepare(const AlertingConfig& config,
                                        std::map<std::string, std::string> external_labels);

  // Stable across swaps: what the rule manager calls.
  NotifyFn AsNotifyFn();
  void Receive(std::vector<Alert> alerts);

  DispatcherStats Stats() const;
  ApiResponse HandleSilencesApi(std::string_view method, std::string_view path,
                                std::string_view query, std::string_view body);
  void Stop();

 private:
  void Install(const AlertingConfig& config, const std::map<std::string, std::string>& labels);

  const Clock& clock_;
  HttpClient& http_;
  std::string state_dir_;
  mutable std::shared_mutex mu_;
  std::unique_ptr<Dispatcher> current_;
  // The counters of the dispatchers that reloads replaced, added to the running one's in
  // Stats() so that tocsin_notifications_*_total and friends never go back on a reload.
  DispatcherStats retired_;  // guarded by mu_
};

}  // namespace tocsin
