// AlertmanagerForwarder: Prometheus's notifier for `alerting.alertmanagers`. Every alert the
// dispatcher receives (before routing, grouping, inhibition or silences) is queued for every
// configured Alertmanager and POSTed to `<scheme>://<target><path_prefix>/api/v2/alerts` as a
// JSON array of postableAlert, at most batch_size (256) per request. As in Prometheus there is
// no retry: a failed batch is counted and dropped, because the rule manager re-sends firing
// alerts every resend delay and resolved ones for 15 minutes; a full queue drops its oldest.
//
// One queue and thread per Alertmanager. Thread-safe: Forward/Stats from any thread. Borrows
// HttpClient and Clock.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "agent/core/alert.h"
#include "agent/core/clock.h"
#include "agent/http_client/http_client.h"
#include "notifiers/config.h"
#include "notifiers/stats.h"

namespace tocsin {

// The postableAlert array Prometheus sends.
std::string AlertmanagerAlertsJson(const std::vector<Alert>& alerts);

class AlertmanagerForwarder {
 public:
  AlertmanagerForwarder(const std::vector<AlertmanagerTargetsConfig>& configs,
                        size_t queue_capacity, size_t batch_size, HttpClient& http);
  ~AlertmanagerForwarder();
  AlertmanagerForwarder(const AlertmanagerForwarder&) = delete;
  AlertmanagerForwarder& operator=(const AlertmanagerForwarder&) = delete;

  bool empty() const { return targets_.empty(); }
  void Forward(const std::vector<Alert>& alerts);
  void Start();
  void Stop();  // sends what is queued first (Prometheus drains on shutdown)
  // Sends one batch per target without threads (tests). Returns the number of requests.
  size_t FlushOnce();
  std::vector<AlertmanagerTargetStats> Stats() const;

 private:
  struct Target {
    std::string url;
    std::chrono::milliseconds timeout;
    std::mutex mu;
    std::condition_variable cv;
    std::deque<Alert> queue;
    AlertmanagerTargetStats stats;
    bool stop = false;
    std::thread thread;
  };
  bool SendBatch(Target& t);
  void Run(Target& t);

  size_t capacity_;
  size_t batch_size_;
  HttpClient& http_;
  std::vector<std::unique_ptr<Target>> targets_;
};

}  // namespace tocsin
