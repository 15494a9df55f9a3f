#include "notifiers/alertmanager/alertmanager_forwarder.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "agent/core/internal_errors.h"
#include "agent/core/json.h"
#include "notifiers/notification.h"

namespace tocsin {

using nlohmann::json;

std::string AlertmanagerAlertsJson(const std::vector<Alert>& alerts) {
  json out = json::array();
  for (const Alert& a : alerts) {
    json annotations = json::object();
    for (const auto& [k, v] : a.annotations) annotations[k] = v;
    json item{{"labels", LabelsToJson(a.labels)}, {"annotations", std::move(annotations)}};
    if (a.starts_at != 0) item["startsAt"] = FormatRfc3339(a.starts_at);
    if (a.ends_at != 0) item["endsAt"] = FormatRfc3339(a.ends_at);
    if (!a.generator_url.empty()) item["generatorURL"] = a.generator_url;
    out.push_back(std::move(item));
  }
  return EncodeJson(out, {.escape_html = true});
}

AlertmanagerForwarder::AlertmanagerForwarder(const std::vector<AlertmanagerTargetsConfig>& configs,
                                             size_t queue_capacity, size_t batch_size,
                                             HttpClient& http)
    : capacity_(std::max<size_t>(1, queue_capacity)),
      batch_size_(std::max<size_t>(1, batch_size)),
      http_(http) {
  for (const AlertmanagerTargetsConfig& c : configs) {
    std::string prefix = c.path_prefix;
    while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
    if (!prefix.empty() && prefix.front() != '/') prefix = "/" + prefix;
    for (const std::string& target : c.targets) {
      auto t = std::make_unique<Target>();
      t->url = c.scheme + "://" + target + prefix + "/api/v2/alerts";
      t->timeout = c.timeout;
      t->stats.url = t->url;
      targets_.push_back(std::move(t));
    }
  }
}

AlertmanagerForwarder::~AlertmanagerForwarder() { Stop(); }

void AlertmanagerForwarder::Forward(const std::vector<Alert>& alerts) {
  if (alerts.empty()) return;
  for (auto& t : targets_) {
    std::lock_guard<std::mutex> lock(t->mu);
    for (const Alert& a : alerts) t->queue.push_back(a);
    if (t->queue.size() > capacity_) {
      size_t drop = t->queue.size() - capacity_;
      t->queue.erase(t->queue.begin(), t->queue.begin() + static_cast<ptrdiff_t>(drop));
      t->stats.dropped_total += drop;
      spdlog::warn("alertmanager {}: notification queue full, dropped {} oldest alerts", t->url,
                   drop);
    }
    t->cv.notify_all();
  }
}

bool AlertmanagerForwarder::SendBatch(Target& t) {
  std::vector<Alert> batch;
  {
    std::lock_guard<std::mutex> lock(t.mu);
    size_t n = std::min(batch_size_, t.queue.size());
    if (n == 0) return false;
    batch.assign(t.queue.begin(), t.queue.begin() + static_cast<ptrdiff_t>(n));
    t.queue.erase(t.queue.begin(), t.queue.begin() + static_cast<ptrdiff_t>(n));
  }
  HttpRequest req;
  req.url = t.url;
  req.headers = {{"Content-Type", "application/json"}};
  req.body = AlertmanagerAlertsJson(batch);
  req.timeout = t.timeout;
  HttpResponse resp = http_.Do(req);
  std::lock_guard<std::mutex> lock(t.mu);
  if (resp.Ok2xx()) {
    t.stats.sent_total += batch.size();
  } else {
    t.stats.errors_total += batch.size();
    t.stats.dropped_total += batch.size();
    spdlog::error("alertmanager {}: sending {} alerts failed: {}", t.url, batch.size(),
                  resp.status == 0
                      ? resp.error
                      : "HTTP " + std::to_string(resp.status) + ": " + resp.body.substr(0, 256));
  }
  return true;
}

size_t AlertmanagerForwarder::FlushOnce() {
  size_t n = 0;
  for (auto& t : targets_) n += SendBatch(*t) ? 1 : 0;
  return n;
}

void AlertmanagerForwarder::Run(Target& t) {
  while (true) {
    {
      std::unique_lock<std::mutex> lock(t.mu);
      t.cv.wait(lock, [&] { return t.stop || !t.queue.empty(); });
      if (t.stop && t.queue.empty()) return;
    }
    // Alerts are re-sent every resend_delay, so a batch lost to a bug is sent again.
    Guarded("alertmanager", [&] { SendBatch(t); });
  }
}

void AlertmanagerForwarder::Start() {
  for (auto& t : targets_) {
    if (!t->thread.joinable()) {
      t->stop = false;
      t->thread = std::thread([this, raw = t.get()] { Run(*raw); });
    }
  }
}

void AlertmanagerForwarder::Stop() {
  for (auto& t : targets_) {
    {
      std::lock_guard<std::mutex> lock(t->mu);
      t->stop = true;
    }
    t->cv.notify_all();
    if (t->thread.joinable()) t->thread.join();
  }
}

std::vector<AlertmanagerTargetStats> AlertmanagerForwarder::Stats() const {
  std::vector<AlertmanagerTargetStats> out;
  for (const auto& t : targets_) {
    std::lock_guard<std::mutex> lock(t->mu);
    AlertmanagerTargetStats s = t->stats;
    s.queue_length = t->queue.size();
    out.push_back(s);
  }
  return out;
}

}  // namespace tocsin
