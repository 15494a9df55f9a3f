#include "notifiers/dispatcher.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "agent/core/internal_errors.h"
#include "notifiers/email/email_notifier.h"
#include "notifiers/log/log_notifier.h"
#include "notifiers/msteams/msteams_notifier.h"
#include "notifiers/opsgenie/opsgenie_notifier.h"
#include "notifiers/pagerduty/pagerduty_notifier.h"
#include "notifiers/slack/slack_notifier.h"
#include "notifiers/webhook/webhook_notifier.h"

namespace tocsin {

namespace {

constexpr TimestampMs kResolvedRetentionMs = 15 * 60 * 1000;

// A receiver name as a directory name: [A-Za-z0-9_.-] kept, anything else as %XX.
std::string DirName(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '_' || c == '-' || (c == '.' && !out.empty())) {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out.empty() ? "%" : out;
}

Status CheckRouteReceivers(const RouteConfig& r, const std::set<std::string>& names,
                           const std::string& path) {
  if (!r.receiver.empty() && !names.contains(r.receiver)) {
    return InvalidArgument(path + ".receiver: undefined receiver \"" + r.receiver +
                           "\" used in route");
  }
  for (size_t i = 0; i < r.routes.size(); ++i) {
    TOCSIN_RETURN_IF_ERROR(
        CheckRouteReceivers(r.routes[i], names, path + ".routes[" + std::to_string(i) + "]"));
  }
  return Status::Ok();
}

}  // namespace

Dispatcher::Dispatcher(const AlertingConfig& config, DispatcherOptions options, const Clock& clock,
                       HttpClient& http)
    : options_(std::move(options)),
      clock_(clock),
      http_(http),
      external_url_(config.external_url),
      resolve_timeout_(config.resolve_timeout),
      inhibitor_(config.inhibit_rules) {}

Result<std::unique_ptr<Dispatcher>> Dispatcher::Create(const AlertingConfig& config,
                                                       DispatcherOptions options,
                                                       const Clock& clock, HttpClient& http) {
  std::unique_ptr<Dispatcher> d(new Dispatcher(config, std::move(options), clock, http));
  TOCSIN_RETURN_IF_ERROR(d->Init(config));
  return d;
}

Status Dispatcher::Init(const AlertingConfig& config) {
  std::set<std::string> names;
  for (const ReceiverConfig& r : config.receivers) {
    if (r.name.empty()) return InvalidArgument("alerting.receivers: a receiver has no name");
    if (!names.insert(r.name).second) {
      return InvalidArgument("alerting.receivers: receiver \"" + r.name + "\" is defined twice");
    }
  }
  TOCSIN_RETURN_IF_ERROR(CheckRouteReceivers(config.route, names, "alerting.route"));
  auto route = Route::Build(config.route);
  if (!route.ok()) return route.status().WithContext("alerting.route");
  route_ = std::move(route).value();
  auto intervals = TimeIntervals::Build(config.time_intervals);
  if (!intervals.ok()) return intervals.status().WithContext("alerting.time_intervals");
  time_intervals_ = std::move(intervals).value();

  std::string queue_root = options_.state_dir.empty() ? "" : options_.state_dir + "/notifications";
  silences_ = std::make_unique<Silences>(
      clock_, options_.state_dir.empty() ? "" : options_.state_dir + "/silences.json");
  if (!options_.state_dir.empty()) {
    Status st = silences_->Load();
    if (!st.ok()) spdlog::error("silences: {} (starting with none)", st.message());
  }
  forwarder_ = std::make_unique<AlertmanagerForwarder>(config.alertmanagers,
                                                       config.alertmanager_queue_capacity,
                                                       config.alertmanager_batch_size, http_);

  auto templates = NotificationTemplates::Load(config.templates);
  if (!templates.ok()) return templates.status().WithContext("alerting.templates");
  for (const ReceiverConfig& r : config.receivers) {
    std::vector<std::unique_ptr<Notifier>> notifiers;
    std::string where = "alerting.receivers." + r.name;
    for (const PagerDutyConfig& c : r.pagerduty_configs) {
      if (c.routing_key.empty() == c.service_key.empty()) {
        return InvalidArgument(where + ": pagerduty needs exactly one of routing_key, service_key");
      }
      notifiers.push_back(std::make_unique<PagerDutyNotifier>(c, http_, clock_, *templates));
    }
    for (const SlackConfig& c : r.slack_configs) {
      if (c.api_url.empty()) return InvalidArgument(where + ": slack api_url missing");
      notifiers.push_back(std::make_unique<SlackNotifier>(c, http_, clock_, *templates));
    }
    for (const OpsGenieConfig& c : r.opsgenie_configs) {
      notifiers.push_back(std::make_unique<OpsGenieNotifier>(c, http_, clock_, *templates));
    }
    for (const MsTeamsConfig& c : r.msteams_configs) {
      notifiers.push_back(std::make_unique<MsTeamsNotifier>(c, http_, clock_, *templates));
    }
    for (const EmailConfig& c : r.email_configs) {
      if (c.smarthost_host.empty() || c.smarthost_port == 0) {
        return InvalidArgument(where + ": email smarthost missing");
      }
      static CurlSmtpClient curl_smtp;
      SmtpClient& smtp = options_.smtp != nullptr ? *options_.smtp : curl_smtp;
      notifiers.push_back(std::make_unique<EmailNotifier>(c, smtp, clock_, *templates));
    }
    for (const WebhookConfig& c : r.webhook_configs) {
      if (c.url.empty()) return InvalidArgument(where + ": webhook url missing");
      notifiers.push_back(std::make_unique<WebhookNotifier>(c, http_, clock_));
    }
    for (const LogReceiverConfig& c : r.log_configs) {
      notifiers.push_back(std::make_unique<LogNotifier>(c, options_.log_sink));
    }
    std::map<std::string, int> per_type;
    std::vector<Integration>& integrations = receivers_[r.name];
    for (auto& n : notifiers) {
      std::string type(n->Integration());
      int index = per_type[type]++;
      std::string id = type + "[" + std::to_string(index) + "]";
      std::string dir = queue_root.empty() ? ""
                                           : queue_root + "/" + DirName(r.name) + "/" + type + "-" +
                                                 std::to_string(index);
      auto worker = std::make_unique<DeliveryWorker>(r.name, index, std::move(n), config.delivery,
                                                     clock_, dir);
      Result<size_t> recovered = worker->Recover();
      if (!recovered.ok()) return recovered.status().WithContext(worker->name());
      if (*recovered > 0) {
        spdlog::info("notify {}: {} undelivered notifications recovered from {}", worker->name(),
                     *recovered, dir);
      }
      integrations.push_back({worker.get(), id});
      workers_.push_back(std::move(worker));
    }
  }
  return Status::Ok();
}

Dispatcher::~Dispatcher() { Stop(); }

void Dispatcher::Start() {
  for (auto& w : workers_) w->Start();
  forwarder_->Start();
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { Run(); });
}

void Dispatcher::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  for (auto& w : workers_) w->Stop();
  if (forwarder_) forwarder_->Stop();
}

NotifyFn Dispatcher::AsNotifyFn() {
  return [this](std::vector<Alert> alerts) { Receive(std::move(alerts)); };
}

int64_t Dispatcher::MonoMs() const { return MonotonicMs(clock_); }

void Dispatcher::Receive(std::vector<Alert> alerts) {
  TimestampMs now = clock_.NowMs();
  int64_t mono = MonoMs();
  std::vector<Alert> accepted;
  accepted.reserve(alerts.size());
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (Alert& a : alerts) {
      ++counters_.alerts_received_total;
      if (!options_.external_labels.empty()) {
        LabelsBuilder b(a.labels);
        for (const auto& [k, v] : options_.external_labels) {
          if (!a.labels.Has(k)) b.Set(k, v);
        }
        a.labels = b.Build();
      }
      bool valid = !a.labels.empty();
      for (const Label& l : a.labels) valid = valid && IsValidLabelName(l.name);
      if (!valid || (a.ends_at != 0 && a.starts_at != 0 && a.ends_at < a.starts_at)) {
        ++counters_.alerts_invalid_total;
        continue;
      }
      if (a.starts_at == 0) a.starts_at = a.ends_at != 0 ? a.ends_at : now;
      if (a.ends_at == 0) a.ends_at = now + resolve_timeout_.count();
      uint64_t fp = a.Fingerprint();
      auto it = alerts_.find(fp);
      if (it == alerts_.end()) {
        alerts_.emplace(fp, a);
      } else {
        it->second = MergeAlert(it->second, a, now);
      }
      RouteLocked(a, now, mono);
      accepted.push_back(std::move(a));
    }
  }
  forwarder_->Forward(accepted);
  cv_.notify_all();
}

void Dispatcher::RouteLocked(const Alert& a, TimestampMs now, int64_t mono) {
  for (const Route* r : route_->Match(a.labels)) {
    Labels group_labels = r->GroupLabels(a.labels);
    GroupId id{r, group_labels.ToString()};
    auto g = groups_.find(id);
    if (g == groups_.end()) {
      g = groups_.emplace(id, std::make_unique<AggregationGroup>(r, group_labels, mono)).first;
    }
    g->second->Insert(a, now, mono);
  }
}

DispatcherState Dispatcher::ExportState() const {
  DispatcherState state;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [fp, a] : alerts_) state.alerts.push_back(a);
  for (const auto& [id, g] : groups_) {
    for (const auto& [integration, sent] : g->notification_log()) {
      state.notification_log[{g->key(), integration}] = sent;
    }
  }
  return state;
}

void Dispatcher::ImportState(DispatcherState state) {
  TimestampMs now = clock_.NowMs();
  int64_t mono = MonoMs();
  std::lock_guard<std::mutex> lock(mu_);
  for (Alert& a : state.alerts) {
    uint64_t fp = a.Fingerprint();
    // Resolved alerts too: their groups still owe the resolve notification.
    RouteLocked(a, now, mono);
    alerts_.emplace(fp, std::move(a));
  }
  for (auto& [id, g] : groups_) {
    for (auto it = state.notification_log.lower_bound({g->key(), ""});
         it != state.notification_log.end() && it->first.first == g->key(); ++it) {
      g->RestoreLog(it->first.second, it->second);
    }
  }
}

void Dispatcher::FlushGroupLocked(AggregationGroup& group, TimestampMs now,
                                  std::vector<PendingEnqueue>& out) {
  std::vector<Alert> snapshot = group.Flush(now, MonoMs());
  std::vector<Alert> unmuted;
  for (const Alert& a : snapshot) {
    if (inhibitor_.Mutes(a.labels, alerts_, now)) {
      ++counters_.inhibited_total;
      continue;
    }
    if (silences_->Mutes(a.labels)) {
      ++counters_.silenced_total;
      continue;
    }
    unmuted.push_back(a);
  }
  // Alertmanager's TimeMuteStage / TimeActiveStage: a muted flush sends nothing and records
  // nothing, so the first flush after the interval notifies as if this one never happened.
  const RouteOpts& opts = group.route()->opts();
  bool time_muted =
      time_intervals_.Mutes(opts.mute_time_intervals, opts.active_time_intervals, now);
  auto it = receivers_.find(opts.receiver);
  if (it != receivers_.end() && !time_muted) {
    for (const Integration& integration : it->second) {
      bool send_resolved = integration.worker->notifier().SendResolved();
      std::set<uint64_t> firing, resolved;
      for (const Alert& a : unmuted) (a.ends_at == 0 ? firing : resolved).insert(a.Fingerprint());
      if (!group.NeedsUpdate(integration.id, firing, resolved, send_resolved, now)) continue;
      Notification n;
      n.receiver = it->first;
      n.group_key = group.key();
      n.group_labels = group.group_labels();
      n.created_at = now;
      n.external_url = external_url_;
      for (const Alert& a : unmuted) {
        if (a.ends_at == 0 || send_resolved) n.alerts.push_back(a);
      }
      group.RecordSent(integration.id, std::move(firing), std::move(resolved), now);
      if (!n.alerts.empty()) out.push_back({integration.worker, std::move(n)});
    }
  }
  group.RemoveResolved(snapshot, now);
}

void Dispatcher::Tick() {
  TimestampMs now = clock_.NowMs();
  std::vector<PendingEnqueue> flushed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    TickLocked(now, flushed);
  }
  // The durable queue writes (and fsyncs) outside the lock Receive takes, so a slow disk never
  // holds back rule evaluation. Only this thread flushes, so the order per group is kept.
  for (PendingEnqueue& p : flushed) p.worker->Enqueue(std::move(p.notification));
}

void Dispatcher::TickLocked(TimestampMs now, std::vector<PendingEnqueue>& flushed) {
  const int64_t mono = MonoMs();
  for (auto it = groups_.begin(); it != groups_.end();) {
    AggregationGroup& g = *it->second;
    if (g.Due(mono)) {
      FlushGroupLocked(g, now, flushed);
      if (g.empty()) {
        it = groups_.erase(it);
        continue;
      }
    }
    ++it;
  }
  if (now - last_gc_ >= 60 * 1000) {
    last_gc_ = now;
    std::erase_if(alerts_, [now](const auto& kv) {
      return kv.second.Resolved(now) && kv.second.ends_at + kResolvedRetentionMs < now;
    });
    silences_->GarbageCollect();
  }
}

std::optional<int64_t> Dispatcher::NextFlush() const {
  std::lock_guard<std::mutex> lock(mu_);
  return NextFlushLocked();
}

std::optional<int64_t> Dispatcher::NextFlushLocked() const {
  std::optional<int64_t> next;
  for (const auto& [id, g] : groups_) {
    if (!next || g->next_flush() < *next) next = g->next_flush();
  }
  return next;
}

void Dispatcher::Run() {
  while (true) {
    Guarded("dispatcher", [this] { Tick(); });
    // The next flush is read under the lock the wait releases: an alert Received in between
    // (a new group with group_wait 0s) is then either seen here or wakes the wait.
    std::unique_lock<std::mutex> lock(mu_);
    if (stop_) return;
    std::optional<int64_t> next = NextFlushLocked();
    // Bounded wait: new alerts notify us; a FakeClock moves without notifying.
    int64_t wait = next ? std::clamp<int64_t>(*next - MonoMs(), 0, 200) : 200;
    if (wait > 0) cv_.wait_for(lock, std::chrono::milliseconds(wait));
  }
}

size_t Dispatcher::ProcessDeliveriesOnce() {
  size_t n = 0;
  for (auto& w : workers_) n += w->ProcessOnce() ? 1 : 0;
  return n;
}

size_t Dispatcher::PendingNotifications() const {
  size_t n = 0;
  for (const auto& w : workers_) n += w->QueueLength();
  return n;
}

DispatcherStats Dispatcher::Stats() const {
  DispatcherStats s;
  {
    std::lock_guard<std::mutex> lock(mu_);
    s = counters_;
    s.aggregation_groups = groups_.size();
    TimestampMs now = clock_.NowMs();
    s.active_alerts =
        static_cast<uint64_t>(std::count_if(alerts_.begin(), alerts_.end(), [now](const auto& kv) {
          return !kv.second.Resolved(now);
        }));
  }
  for (const auto& w : workers_) s.integrations.push_back(w->Stats());
  s.alertmanagers = forwarder_->Stats();
  return s;
}

}  // namespace tocsin
