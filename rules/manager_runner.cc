// The rule manager's group runner: aligned evaluation slots, event-driven evaluation on
// commits, alert state restore and persistence, and hand-off of alerts to the dispatcher.
#include "rules/manager_runner.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>

#include "agent/core/fnv.h"
#include "agent/core/internal_errors.h"
#include "agent/core/json.h"
#include "agent/core/rfc3339.h"
#include "rules/retention_check.h"
#include "rules/template_query.h"

namespace tocsin::rules {
namespace {

// Without a state change, the state file is still refreshed this often (keeps "downAt" fresh).
constexpr std::chrono::milliseconds kStateHeartbeat{10000};

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

}  // namespace

void Manager::Shared::LogLimited(const std::string& key, const std::string& msg) {
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

Manager::Runner::Runner(std::shared_ptr<Shared> shared, GroupSpec spec, std::string file,
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
  for (const RuleSpec& r : spec.rules) {
    if (r.expr) wake_filter_.Add(*r.expr);
  }
  group_ = std::make_unique<Group>(std::move(spec), std::move(o));
  const int64_t iv = std::max<int64_t>(group_->interval().count(), 1);
  offset_ = static_cast<int64_t>(Fnv1a64(group_key) % static_cast<uint64_t>(iv));
}

void Manager::Runner::CopyStateFrom(Runner& old) {
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

void Manager::Runner::RestoreLocked(TimestampMs now) {
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
    RestoreOptions ro{ar->spec().for_duration, settings_.outage_tolerance, settings_.grace_period};
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

void Manager::Runner::EvalAt(TimestampMs ts, bool event) {
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
        for (const auto& a : r.alerts) any_pending = any_pending || a.state == AlertState::kPending;
      }
      if (any_pending || key != last_saved_key_ || ts - last_saved_at_ >= kStateHeartbeat.count()) {
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

void Manager::Runner::Start(bool event_driven) {
  event_driven_ = event_driven;
  thread_ = std::thread([this] { Loop(); });
}

void Manager::Runner::Stop() {
  {
    std::lock_guard lock(wake_mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Manager::Runner::Trigger() {
  {
    std::lock_guard lock(wake_mu_);
    triggered_ = true;
  }
  wake_.notify_one();
}

GroupSnapshot Manager::Runner::Snapshot() {
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
    const auto lookback = RuleLookback(group_->query_offset(), spec);
    rs.lookback_seconds = static_cast<double>(lookback.count()) / 1000.0;
    rs.reads_past_retention = settings_.retention.count() > 0 && lookback > settings_.retention;
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

bool Manager::Runner::OwnsSource(std::string_view source) const {
  for (size_t i = 0; i < group_->size(); ++i) {
    if (group_->source(i) == source) return true;
  }
  return false;
}

std::vector<std::string> Manager::Runner::Sources() {
  std::vector<std::string> out;
  for (size_t i = 0; i < group_->size(); ++i) out.push_back(group_->source(i));
  return out;
}

void Manager::Runner::Collect(const std::string& expr, const std::vector<Alert>& alerts) {
  const std::string url = GeneratorUrl(settings_.external_url, expr);
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

void Manager::Runner::Handoff(std::vector<tocsin::Alert> alerts) {
  shared_->notifications += alerts.size();
  if (shared_->deps.log_handoff) {
    const TimestampMs now = shared_->deps.clock->NowMs();
    for (const auto& a : alerts) {
      nlohmann::json j = nlohmann::json::object();
      nlohmann::json labels = nlohmann::json::object();
      for (const auto& l : a.labels) labels[l.name] = l.value;
      j["labels"] = labels;
      j["status"] = a.ends_at != 0 && a.ends_at <= now ? "resolved" : "firing";
      j["startsAt"] = FormatRfc3339(a.starts_at);
      j["endsAt"] = a.ends_at ? FormatRfc3339(a.ends_at) : "";
      j["handoff_ms"] = now;
      j["group"] = file_ + ";" + name_;
      spdlog::info("alert hand-off: {}", EncodeJson(j));
    }
  }
  if (shared_->deps.notify) shared_->deps.notify(std::move(alerts));
}

PersistedGroup Manager::Runner::StateLocked(TimestampMs ts) {
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

TimestampMs Manager::Runner::NextSlot(TimestampMs now) const {
  const int64_t iv = std::max<int64_t>(group_->interval().count(), 1);
  int64_t base = now - offset_;
  int64_t k = base >= 0 ? (base / iv) + 1 : base / iv;
  return k * iv + offset_;
}

void Manager::Runner::Loop() {
  // Slots are wall-clock times (evaluation timestamps line up with Prometheus's), but every wait
  // runs on the monotonic clock: a wall clock stepped back or forward changes the timestamps,
  // never the rhythm.
  using std::chrono::milliseconds;
  const Clock& clock = *shared_->deps.clock;
  const int64_t iv = std::max<int64_t>(group_->interval().count(), 1);
  auto mono_ms = [&clock] { return MonotonicMs(clock); };
  // The monotonic instant of the next wall-clock slot after now.
  auto next_deadline = [&] {
    TimestampMs wall = clock.NowMs();
    return mono_ms() + (NextSlot(wall) - wall);
  };
  int64_t deadline = next_deadline();
  int64_t last_event = std::numeric_limits<int64_t>::min() / 2;
  for (;;) {
    bool event = false;
    {
      std::unique_lock lock(wake_mu_);
      for (;;) {
        if (stop_) return;
        int64_t now = mono_ms();
        if (now >= deadline) break;
        if (triggered_ && event_driven_ && now - last_event >= kEventMinGap.count()) {
          triggered_ = false;
          event = true;
          break;
        }
        int64_t until = deadline;
        if (triggered_ && event_driven_) until = std::min(until, last_event + kEventMinGap.count());
        // Bounded: an injected clock moves without notifying us.
        wake_.wait_for(lock, milliseconds(std::clamp<int64_t>(until - now, 1, 250)));
      }
    }
    if (event) {
      last_event = mono_ms();
      Guarded("rules", [&] { EvalAt(clock.NowMs(), true); });
      continue;
    }
    // The slot that just came, on the wall clock as it reads now (half an interval of slack:
    // the two clocks may disagree by a few milliseconds).
    TimestampMs slot = NextSlot(clock.NowMs() + iv / 2) - iv;
    // The monotonic deadline may come a millisecond or two before the wall clock reaches the
    // slot. Evaluating then would stamp a resolved alert's endsAt in the future, so the
    // hand-off would still see it firing; wait the difference out (once, bounded).
    // A commit's wake-up must not cut this wait short, only a stop.
    if (int64_t ahead = slot - clock.NowMs(); ahead > 0 && ahead <= iv / 2) {
      std::unique_lock lock(wake_mu_);
      if (wake_.wait_for(lock, milliseconds(ahead), [this] { return stop_; })) return;
    }
    Guarded("rules", [&] { EvalAt(slot, false); });
    // Slots that passed while evaluating are missed (Prometheus's iterations_missed).
    int64_t late = mono_ms() - deadline;
    if (late >= iv) {
      std::lock_guard lock(mu_);
      missed_ += static_cast<uint64_t>(late / iv);
    }
    deadline = next_deadline();
  }
}

}  // namespace tocsin::rules
