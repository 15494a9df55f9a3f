#include "rules/manager.h"

#include <glob.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>
#include <ctime>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "agent/core/rate_limiter.h"
#include "rules/alert_restore.h"
#include "rules/group.h"
#include "rules/template/funcs.h"
#include "rules/template_query.h"

namespace tocsin::rules {
namespace {

// Without a state change, the state file is still refreshed this often (keeps "downAt" fresh).
constexpr std::chrono::milliseconds kStateHeartbeat{10000};

uint64_t Fnv1a(std::string_view s) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

Labels RuleLabels(const RuleSpec& r) {
  std::vector<Label> v;
  for (const auto& l : r.labels) v.push_back({l.name, l.text});
  return Labels::FromUnsorted(std::move(v));
}

// Identity of a rule across reloads and restarts: name + (unexpanded) labels, as Prometheus's
// CopyState matches rules.
std::string RuleKey(const RuleSpec& r) { return r.name + RuleLabels(r).ToString(); }

// Everything but Value and Annotations: a change here is worth an immediate fsync.
std::string StructuralKey(const PersistedGroup& g) {
  std::string k;
  for (const auto& r : g.rules) {
    for (const Alert& a : r.alerts) {
      k += a.labels.ToString();
      k += static_cast<char>('0' + static_cast<int>(a.state));
      for (auto t : {std::optional<TimestampMs>(a.active_at), a.fired_at, a.resolved_at,
                     a.last_sent_at, a.valid_until, a.keep_firing_since}) {
        k += ',' + (t ? std::to_string(*t) : std::string("-"));
      }
      k += ';';
    }
  }
  return k;
}

Result<std::vector<std::string>> ExpandGlobs(const std::vector<std::string>& patterns) {
  std::set<std::string> files;
  for (const auto& p : patterns) {
    glob_t g{};
    int rc = ::glob(p.c_str(), GLOB_NOSORT, nullptr, &g);
    if (rc == 0) {
      for (size_t i = 0; i < g.gl_pathc; ++i) files.insert(g.gl_pathv[i]);
    } else if (rc != GLOB_NOMATCH) {
      ::globfree(&g);
      return InvalidArgument("rule_files: cannot expand \"" + p + "\"");
    }
    ::globfree(&g);
  }
  return std::vector<std::string>(files.begin(), files.end());
}

// RFC 3339 UTC with milliseconds, as notifiers/alert.h prints alert times.
std::string Rfc3339(TimestampMs t) {
  int64_t secs = t >= 0 ? t / 1000 : (t - 999) / 1000;
  int ms = static_cast<int>(t - secs * 1000);
  time_t tt = static_cast<time_t>(secs);
  struct tm tm {};
  gmtime_r(&tt, &tm);
  char buf[40];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%03dZ", ms);
  return buf;
}

}  // namespace

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

  void LogLimited(const std::string& key, const std::string& msg) {
    uint64_t suppressed = 0;
    bool allow;
    {
      std::lock_guard lock(log_mu);
      allow = log_limiter.Allow(key, suppressed);
    }
    if (!allow) return;
    if (suppressed > 0) {
      spdlog::warn("{} ({} similar messages suppressed)", msg, suppressed);
    } else {
      spdlog::warn("{}", msg);
    }
  }
};

// One group: its evaluator, its thread and its bookkeeping.
class Manager::Runner {
 public:
  Runner(std::shared_ptr<Shared> shared, GroupSpec spec, std::string file,
         const ManagerSettings& settings)
      : shared_(std::move(shared)), file_(std::move(file)), settings_(settings) {
    const Deps& d = shared_->deps;
    GroupOptions o;
    o.engine = d.engine;
    o.store = d.store;
    o.external_labels = settings.external_labels;
    o.external_url = settings.external_url;
    o.default_interval = settings.default_interval;
    o.resend_delay = settings.resend_delay;
    o.alerts_restored = true;  // state is restored from disk before the first evaluation
    o.file = file_;
    o.notify = [this](const std::string& expr, const std::vector<Alert>& alerts) {
      Collect(expr, alerts);
    };
    o.template_query = MakeTemplateQuery(d.engine, d.store);
    std::string group_key = file_ + ";" + spec.name;
    o.on_template_error = [sh = shared_.get(), group_key](const std::string& msg) {
      sh->LogLimited("template:" + group_key, "rule group " + group_key + ": " + msg);
    };
    name_ = spec.name;
    group_ = std::make_unique<Group>(std::move(spec), std::move(o));
    const int64_t iv = std::max<int64_t>(group_->interval().count(), 1);
    offset_ = static_cast<int64_t>(Fnv1a(group_key) % static_cast<uint64_t>(iv));
  }

  ~Runner() { Stop(); }

  using Deps = ManagerDeps;
  const std::string& file() const { return file_; }
  const std::string& name() const { return name_; }
  Group& group() { return *group_; }
  std::mutex& mu() { return mu_; }

  // Copies alert state from `old` (same file and group name) for rules whose identity matches.
  void CopyStateFrom(Runner& old) {
    std::scoped_lock lock(mu_, old.mu_);
    std::multimap<std::string, AlertingRule*> olds;
    for (size_t i = 0; i < old.group_->size(); ++i) {
      if (auto* ar = old.group_->alerting_rule(i)) olds.emplace(RuleKey(ar->spec()), ar);
    }
    for (size_t i = 0; i < group_->size(); ++i) {
      auto* ar = group_->alerting_rule(i);
      if (!ar) continue;
      auto it = olds.find(RuleKey(ar->spec()));
      if (it == olds.end()) continue;
      ar->SetAlerts(it->second->CurrentAlerts());
      olds.erase(it);
    }
    last_ts_ = old.last_ts_;
    iterations_ = old.iterations_;
    missed_ = old.missed_;
    event_evals_ = old.event_evals_;
    restored_ = true;
    last_saved_key_ = old.last_saved_key_;
    last_saved_at_ = old.last_saved_at_;
  }

  // Restores persisted alert state at the first evaluation at `now` (caller holds mu_).
  void RestoreLocked(TimestampMs now) {
    restored_ = true;
    PersistedGroup saved;
    {
      std::lock_guard lock(shared_->saved_mu);
      auto it = shared_->saved.find({file_, name_});
      if (it == shared_->saved.end()) return;
      saved = std::move(it->second);
      shared_->saved.erase(it);
    }
    std::multimap<std::string, const PersistedRuleAlerts*> by_rule;
    for (const auto& r : saved.rules) by_rule.emplace(r.rule + r.rule_labels.ToString(), &r);
    size_t restored = 0;
    for (size_t i = 0; i < group_->size(); ++i) {
      auto* ar = group_->alerting_rule(i);
      if (!ar) continue;
      auto it = by_rule.find(RuleKey(ar->spec()));
      if (it == by_rule.end()) continue;
      RestoreOptions ro{ar->spec().for_duration, settings_.outage_tolerance,
                        settings_.grace_period};
      auto alerts = RestoreAlerts(it->second->alerts, saved.saved_at, now, ro);
      restored += alerts.size();
      ar->SetAlerts(std::move(alerts));
      by_rule.erase(it);
    }
    if (restored > 0) {
      spdlog::info("rule group {};{}: restored {} alert(s) saved at {} ms", file_, name_, restored,
                   saved.saved_at);
    }
  }

  // One evaluation at `ts` (clamped to be after the previous one); notifies and persists.
  void EvalAt(TimestampMs ts, bool event) {
    std::vector<tocsin::Alert> out;
    PersistedGroup state;
    bool save = false;
    {
      std::lock_guard lock(mu_);
      if (ts <= last_ts_) ts = last_ts_ + 1;
      if (!restored_) RestoreLocked(ts);
      const auto start = std::chrono::steady_clock::now();
      pending_.clear();
      group_->Eval(ts);
      last_duration_s_ =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      last_ts_ = ts;
      ++iterations_;
      if (event) ++event_evals_;
      out = std::move(pending_);
      pending_.clear();
      if (shared_->state_dir.enabled()) {
        state = StateLocked(ts);
        std::string key = StructuralKey(state);
        // Pending timers resume from the last saved evaluation ("downAt"), so while any
        // alert is pending every evaluation is saved; otherwise only changes and heartbeats.
        bool any_pending = false;
        for (const auto& r : state.rules) {
          for (const auto& a : r.alerts)
            any_pending = any_pending || a.state == AlertState::kPending;
        }
        if (any_pending || key != last_saved_key_ ||
            ts - last_saved_at_ >= kStateHeartbeat.count()) {
          save = true;
          last_saved_key_ = std::move(key);
          last_saved_at_ = ts;
        }
      }
    }
    if (!out.empty()) Handoff(std::move(out));
    if (save) {
      Status st = shared_->state_dir.Save(state);
      if (st.ok()) {
        ++shared_->state_writes;
      } else {
        ++shared_->state_write_errors;
        shared_->LogLimited("state:" + file_ + ";" + name_,
                            "cannot save alert state of group " + name_ + ": " + st.message());
      }
    }
  }

  void Start(bool event_driven) {
    event_driven_ = event_driven;
    thread_ = std::thread([this] { Loop(); });
  }

  void Stop() {
    {
      std::lock_guard lock(wake_mu_);
      stop_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  void Trigger() {
    {
      std::lock_guard lock(wake_mu_);
      triggered_ = true;
    }
    wake_.notify_one();
  }

  bool event_driven() const { return settings_.event_driven; }

  GroupSnapshot Snapshot() {
    std::lock_guard lock(mu_);
    GroupSnapshot g;
    g.name = name_;
    g.file = file_;
    g.interval_seconds = static_cast<double>(group_->interval().count()) / 1000.0;
    g.limit = group_->limit();
    g.event_driven = settings_.event_driven;
    g.last_evaluation = last_ts_;
    g.evaluation_seconds = last_duration_s_;
    g.iterations = iterations_;
    g.iterations_missed = missed_;
    g.event_evaluations = event_evals_;
    for (size_t i = 0; i < group_->size(); ++i) {
      const Rule& r = group_->rule(i);
      const RuleSpec& spec = r.spec();
      RuleSnapshot rs;
      rs.kind = spec.kind;
      rs.name = spec.name;
      rs.query = spec.expr_text;
      rs.duration_seconds = static_cast<double>(spec.for_duration.count()) / 1000.0;
      rs.keep_firing_for_seconds = static_cast<double>(spec.keep_firing_for.count()) / 1000.0;
      for (const auto& l : spec.labels) rs.labels.emplace_back(l.name, l.text);
      for (const auto& a : spec.annotations) rs.annotations.emplace_back(a.name, a.text);
      const RuleEvalStats& st = r.eval_stats();
      rs.last_evaluation = st.last_evaluation;
      rs.evaluation_seconds = st.last_duration_seconds;
      rs.evaluations = st.evaluations;
      rs.failures = st.failures;
      if (st.evaluations == 0) {
        rs.health = "unknown";
      } else if (r.last_error().ok()) {
        rs.health = "ok";
      } else {
        rs.health = "err";
        rs.last_error = r.last_error().message();
      }
      if (auto* ar = group_->alerting_rule(i)) {
        rs.state = ar->State();
        rs.alerts = ar->ActiveAlerts();
        rs.template_errors = ar->template_errors();
      }
      g.rules.push_back(std::move(rs));
    }
    return g;
  }

  // Source names of this group's rules (for stale markers when it goes away).
  std::vector<std::string> Sources() {
    std::vector<std::string> out;
    for (size_t i = 0; i < group_->size(); ++i) out.push_back(group_->source(i));
    return out;
  }

 private:
  void Collect(const std::string& expr, const std::vector<Alert>& alerts) {
    const std::string url =
        settings_.external_url + "/graph?g0.expr=" + tmpl::UrlQueryEscape(expr) + "&g0.tab=1";
    for (const Alert& a : alerts) {
      tocsin::Alert n;
      LabelsBuilder lb(a.labels);
      for (const auto& l : settings_.external_labels) {
        if (!a.labels.Has(l.name)) lb.Set(l.name, l.value);
      }
      n.labels = lb.Build();
      for (const auto& an : a.annotations) n.annotations[an.name] = an.value;
      n.starts_at = a.fired_at.value_or(a.active_at);
      n.ends_at = a.resolved_at ? *a.resolved_at : a.valid_until.value_or(0);
      n.generator_url = url;
      pending_.push_back(std::move(n));
    }
  }

  void Handoff(std::vector<tocsin::Alert> alerts) {
    shared_->notifications += alerts.size();
    if (shared_->deps.log_handoff) {
      const TimestampMs now = shared_->deps.clock->NowMs();
      for (const auto& a : alerts) {
        nlohmann::json j = nlohmann::json::object();
        nlohmann::json labels = nlohmann::json::object();
        for (const auto& l : a.labels) labels[l.name] = l.value;
        j["labels"] = labels;
        j["status"] = a.ends_at != 0 && a.ends_at <= now ? "resolved" : "firing";
        j["startsAt"] = Rfc3339(a.starts_at);
        j["endsAt"] = a.ends_at ? Rfc3339(a.ends_at) : "";
        j["handoff_ms"] = now;
        j["group"] = file_ + ";" + name_;
        spdlog::info("alert hand-off: {}",
                     j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
      }
    }
    if (shared_->deps.notify) shared_->deps.notify(std::move(alerts));
  }

  PersistedGroup StateLocked(TimestampMs ts) {
    PersistedGroup g;
    g.file = file_;
    g.group = name_;
    g.saved_at = ts;
    for (size_t i = 0; i < group_->size(); ++i) {
      auto* ar = group_->alerting_rule(i);
      if (!ar) continue;
      PersistedRuleAlerts r;
      r.rule = ar->spec().name;
      r.rule_labels = RuleLabels(ar->spec());
      r.alerts = ar->CurrentAlerts();
      if (!r.alerts.empty()) g.rules.push_back(std::move(r));
    }
    return g;
  }

  TimestampMs NextSlot(TimestampMs now) const {
    const int64_t iv = std::max<int64_t>(group_->interval().count(), 1);
    int64_t base = now - offset_;
    int64_t k = base >= 0 ? (base / iv) + 1 : base / iv;
    return k * iv + offset_;
  }

  void Loop() {
    const Clock& clock = *shared_->deps.clock;
    const int64_t iv = std::max<int64_t>(group_->interval().count(), 1);
    TimestampMs next = NextSlot(clock.NowMs());
    TimestampMs last_event = 0;
    for (;;) {
      bool event = false;
      {
        std::unique_lock lock(wake_mu_);
        for (;;) {
          if (stop_) return;
          TimestampMs now = clock.NowMs();
          if (now >= next) break;
          if (triggered_ && event_driven_ && now - last_event >= kEventMinGap.count()) {
            triggered_ = false;
            event = true;
            break;
          }
          TimestampMs until = next;
          if (triggered_ && event_driven_)
            until = std::min(until, last_event + kEventMinGap.count());
          wake_.wait_for(lock, std::chrono::milliseconds(std::max<int64_t>(until - now, 1)));
        }
      }
      if (event) {
        last_event = clock.NowMs();
        EvalAt(last_event, true);
        continue;
      }
      EvalAt(next, false);
      // Slots that passed while evaluating are missed (Prometheus's iterations_missed).
      TimestampMs now = clock.NowMs();
      TimestampMs following = next + iv;
      if (now >= following) {
        uint64_t missed = static_cast<uint64_t>((now - following) / iv + 1);
        std::lock_guard lock(mu_);
        missed_ += missed;
        following += static_cast<int64_t>(missed) * iv;
      }
      next = following;
    }
  }

  std::shared_ptr<Shared> shared_;
  std::string file_;
  std::string name_;
  ManagerSettings settings_;
  std::unique_ptr<Group> group_;
  int64_t offset_ = 0;

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

ManagerSettings SettingsFromConfig(const Config& config) {
  ManagerSettings s;
  s.rule_files = config.rule_files;
  s.default_interval = config.global.interval;
  std::vector<Label> ext;
  for (const auto& [k, v] : config.global.external_labels) ext.push_back({k, v});
  s.external_labels = Labels::FromUnsorted(std::move(ext));
  s.external_url = config.rules.external_url;
  s.resend_delay = config.rules.resend_delay;
  s.outage_tolerance = config.rules.outage_tolerance;
  s.grace_period = config.rules.grace_period;
  s.event_driven = config.rules.event_driven;
  return s;
}

Manager::Manager(ManagerDeps deps) : deps_(std::move(deps)), shared_(std::make_shared<Shared>()) {
  shared_->deps = deps_;
  if (!deps_.state_dir.empty()) shared_->state_dir = AlertStateDir(deps_.state_dir + "/rules");
}

Manager::~Manager() { Stop(); }

Result<std::function<void()>> Manager::Prepare(const ManagerSettings& settings) {
  auto files = ExpandGlobs(settings.rule_files);
  if (!files.ok()) return files.status();
  auto loaded = std::make_shared<std::vector<RuleFile>>();
  std::string errors;
  for (const auto& f : *files) {
    RuleFileLoad l = LoadRuleFile(f);
    for (const auto& e : l.errors) errors += (errors.empty() ? "" : "\n") + e;
    if (l.ok()) loaded->push_back(std::move(l.file));
  }
  if (!errors.empty()) return InvalidArgument("rule files: " + errors);
  return std::function<void()>([this, loaded, settings] { Install(std::move(*loaded), settings); });
}

Status Manager::Update(const ManagerSettings& settings) {
  auto swap = Prepare(settings);
  if (!swap.ok()) return swap.status();
  (*swap)();
  return Status::Ok();
}

void Manager::Install(std::vector<RuleFile> loaded, const ManagerSettings& settings) {
  std::lock_guard update_lock(update_mu_);
  if (!state_loaded_) {
    state_loaded_ = true;
    auto r = shared_->state_dir.LoadAll(deps_.clock->NowMs());
    for (const auto& e : r.errors) spdlog::error("alert state set aside: {}", e);
    shared_->state_load_errors += r.errors.size();
    std::lock_guard lock(shared_->saved_mu);
    shared_->saved = std::move(r.groups);
  }

  std::vector<std::unique_ptr<Runner>> fresh;
  for (auto& file : loaded) {
    for (auto& g : file.groups) {
      fresh.push_back(std::make_unique<Runner>(shared_, std::move(g), file.source, settings));
    }
  }
  std::vector<std::unique_ptr<Runner>> old;
  {
    std::unique_lock lock(runners_mu_);
    old.swap(runners_);
  }
  for (auto& r : old) r->Stop();
  std::set<std::string> kept_sources;
  std::set<std::pair<std::string, std::string>> kept_groups;
  for (auto& n : fresh) {
    for (auto& o : old) {
      if (o->file() == n->file() && o->name() == n->name()) n->CopyStateFrom(*o);
    }
    for (auto& s : n->Sources()) kept_sources.insert(s);
    kept_groups.insert({n->file(), n->name()});
  }
  const TimestampMs now = deps_.clock->NowMs();
  for (auto& o : old) {
    for (auto& s : o->Sources()) {
      if (!kept_sources.count(s)) deps_.store->MarkSourceStale(s, now);
    }
    if (!kept_groups.count({o->file(), o->name()})) {
      shared_->state_dir.Remove(o->file(), o->name());
    }
  }
  old.clear();
  if (started_) {
    for (auto& n : fresh) n->Start(settings.event_driven);
  }
  {
    std::unique_lock lock(runners_mu_);
    runners_ = std::move(fresh);
  }
}

void Manager::Start() {
  std::lock_guard update_lock(update_mu_);
  if (started_) return;
  started_ = true;
  std::shared_lock lock(runners_mu_);
  for (auto& r : runners_) r->Start(r->event_driven());
}

void Manager::Stop() {
  std::lock_guard update_lock(update_mu_);
  std::shared_lock lock(runners_mu_);
  for (auto& r : runners_) r->Stop();
  started_ = false;
}

void Manager::OnCommit(std::string_view source) {
  if (source.substr(0, 6) == "rules/") return;
  std::shared_lock lock(runners_mu_);
  for (auto& r : runners_) {
    if (r->event_driven()) r->Trigger();
  }
}

RulesSnapshot Manager::Snapshot() const {
  RulesSnapshot s;
  {
    std::shared_lock lock(runners_mu_);
    for (const auto& r : runners_) s.groups.push_back(r->Snapshot());
  }
  s.notifications = shared_->notifications.load();
  s.state_load_errors = shared_->state_load_errors.load();
  s.state_write_errors = shared_->state_write_errors.load();
  s.state_writes = shared_->state_writes.load();
  return s;
}

void Manager::EvalAllAt(TimestampMs ts) {
  std::shared_lock lock(runners_mu_);
  for (auto& r : runners_) r->EvalAt(ts, false);
}

}  // namespace tocsin::rules
