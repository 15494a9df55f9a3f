// Rule manager on a fake clock: evaluation, hand-off semantics (Prometheus's sendAlerts),
// restart from persisted state, corrupt state, reload. One threaded test checks event-driven
// evaluation with bounded polling.
#include "rules/manager.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "agent/promql/engine.h"
#include "agent/store/series_store.h"

namespace tocsin::rules {
namespace {

namespace fs = std::filesystem;
constexpr int64_t kSec = 1000;
constexpr int64_t kT0 = 1'700'000'000'000;  // aligned to 10 s

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/tocsin-manager-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

void WriteFile(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

struct Sink {
  std::mutex mu;
  std::vector<tocsin::Alert> alerts;
  NotifyFn Fn() {
    return [this](std::vector<tocsin::Alert> a) {
      std::lock_guard lock(mu);
      alerts.insert(alerts.end(), a.begin(), a.end());
    };
  }
  std::vector<tocsin::Alert> Take() {
    std::lock_guard lock(mu);
    return std::exchange(alerts, {});
  }
};

const char kRules[] = R"(groups:
  - name: g
    interval: 10s
    rules:
      - record: job:x:sum
        expr: sum(x)
      - alert: XHigh
        expr: x > 1
        labels: {severity: page}
        annotations: {summary: "x is {{ $value }} on {{ $labels.instance }}"}
      - alert: XSlow
        expr: x > 1
        for: 2m
)";

class ManagerTest : public ::testing::Test {
 protected:
  ManagerTest() : clock_(kT0), store_(StoreOptions{.retention = std::chrono::hours(2)}) {
    rules_path_ = dir_.path() + "/r.yml";
    WriteFile(rules_path_, kRules);
  }

  std::unique_ptr<Manager> NewManager(const std::string& state_dir = "") {
    auto m = std::make_unique<Manager>(ManagerDeps{.engine = &engine_,
                                                   .store = &store_,
                                                   .clock = &clock_,
                                                   .state_dir = state_dir,
                                                   .notify = sink_.Fn(),
                                                   .log_handoff = false});
    ManagerSettings s;
    s.rule_files = {dir_.path() + "/*.yml"};
    s.default_interval = std::chrono::seconds(10);
    s.external_labels = Labels{{"node", "db-1"}, {"severity", "ignored"}};
    s.grace_period = std::chrono::seconds(30);
    settings_ = s;
    Status st = m->Update(s);
    EXPECT_TRUE(st.ok()) << st.message();
    return m;
  }

  void Set(double v, TimestampMs t) {
    auto app = store_.NewAppender("test", t);
    ASSERT_TRUE(app->AddAt(Labels{{"__name__", "x"}, {"instance", "a"}}, t, v).ok());
    ASSERT_TRUE(app->Commit().ok());
  }

  // Evaluates at t (the data is refreshed at t first so it never goes stale).
  void EvalAt(Manager& m, TimestampMs t, double v) {
    clock_.Set(t);
    Set(v, t);
    m.EvalAllAt(t);
  }

  std::vector<tocsin::Alert> Named(const std::vector<tocsin::Alert>& all, std::string_view n) {
    std::vector<tocsin::Alert> out;
    for (const auto& a : all) {
      if (a.Name() == n) out.push_back(a);
    }
    return out;
  }

  TempDir dir_;
  TempDir state_;
  std::string rules_path_;
  FakeClock clock_;
  SeriesStore store_;
  promql::Engine engine_;
  Sink sink_;
  ManagerSettings settings_;
};

TEST_F(ManagerTest, ForZeroFiresOnFirstEvaluationWithPrometheusTimestamps) {
  auto m = NewManager();
  EvalAt(*m, kT0, 5);
  auto sent = sink_.Take();
  auto high = Named(sent, "XHigh");
  ASSERT_EQ(high.size(), 1u);
  EXPECT_TRUE(Named(sent, "XSlow").empty()) << "pending alerts are never sent";
  const tocsin::Alert& a = high[0];
  EXPECT_EQ(
      a.labels,
      (Labels{{"alertname", "XHigh"}, {"instance", "a"}, {"node", "db-1"}, {"severity", "page"}}))
      << "external labels added only where the alert lacks them";
  EXPECT_EQ(a.annotations.at("summary"), "x is 5 on a");
  EXPECT_EQ(a.starts_at, kT0);                // FiredAt
  EXPECT_EQ(a.ends_at, kT0 + 4 * 60 * kSec);  // ValidUntil = ts + 4*max(10s, 1m)
  EXPECT_EQ(a.generator_url, "/graph?g0.expr=x+%3E+1&g0.tab=1");

  // Recording rule and ALERTS series are in the store.
  auto q = promql::Parse("job:x:sum + on() group_left count(ALERTS{alertstate=\"firing\"})");
  ASSERT_TRUE(q.ok());
  auto v = engine_.Instant(*q, store_, kT0);
  ASSERT_TRUE(v.ok()) << v.status().message();
  ASSERT_EQ(v->vector.size(), 1u);
  EXPECT_EQ(v->vector[0].v, 6);

  // Resend only when LastSentAt + resend_delay is strictly before ts: at +70 s, not +60 s.
  for (int s = 10; s <= 60; s += 10) EvalAt(*m, kT0 + s * kSec, 5);
  EXPECT_TRUE(Named(sink_.Take(), "XHigh").empty());
  EvalAt(*m, kT0 + 70 * kSec, 5);
  EXPECT_EQ(Named(sink_.Take(), "XHigh").size(), 1u);

  // Resolve: sent at once with endsAt = ResolvedAt, then re-sent at the resend cadence.
  EvalAt(*m, kT0 + 80 * kSec, 0);
  auto resolved = Named(sink_.Take(), "XHigh");
  ASSERT_EQ(resolved.size(), 1u);
  EXPECT_EQ(resolved[0].ends_at, kT0 + 80 * kSec);
  EXPECT_TRUE(resolved[0].Resolved(kT0 + 80 * kSec));
}

TEST_F(ManagerTest, PendingBecomesFiringAfterForAndSnapshotShowsIt) {
  auto m = NewManager();
  for (int s = 0; s < 120; s += 10) EvalAt(*m, kT0 + s * kSec, 5);
  EXPECT_TRUE(Named(sink_.Take(), "XSlow").empty());
  auto snap = m->Snapshot();
  ASSERT_EQ(snap.groups.size(), 1u);
  const auto& slow = snap.groups[0].rules[2];
  EXPECT_EQ(slow.name, "XSlow");
  EXPECT_EQ(AlertStateName(slow.state), "pending");
  EXPECT_EQ(slow.health, "ok");
  EXPECT_EQ(snap.groups[0].iterations, 12u);
  EvalAt(*m, kT0 + 120 * kSec, 5);
  auto fired = Named(sink_.Take(), "XSlow");
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_EQ(fired[0].starts_at, kT0 + 120 * kSec);
}

TEST_F(ManagerTest, RestartKeepsFiringAlertQuietAndPendingTimer) {
  {
    auto m = NewManager(state_.path());
    for (int s = 0; s <= 40; s += 10) EvalAt(*m, kT0 + s * kSec, 5);  // XSlow pending since T0
    EXPECT_EQ(Named(sink_.Take(), "XHigh").size(), 1u);               // sent at T0
  }
  // Down for 10 s; the condition still holds.
  auto m = NewManager(state_.path());
  EvalAt(*m, kT0 + 50 * kSec, 5);
  auto sent = sink_.Take();
  EXPECT_TRUE(Named(sent, "XHigh").empty()) << "a firing alert does not page again on restart";
  EXPECT_TRUE(Named(sent, "XSlow").empty());
  auto snap = m->Snapshot();
  const auto& slow = snap.groups[0].rules[2];
  ASSERT_EQ(slow.alerts.size(), 1u);
  // ActiveAt moved by the downtime (saved at +40 s, back at +50 s): the 40 s spent pending count.
  EXPECT_EQ(slow.alerts[0].active_at, kT0 + 10 * kSec);
  EXPECT_EQ(AlertStateName(snap.groups[0].rules[1].state), "firing");
  // Re-sent at its normal cadence: LastSentAt (T0) + 1 m strictly before ts.
  EvalAt(*m, kT0 + 60 * kSec, 5);
  EXPECT_TRUE(Named(sink_.Take(), "XHigh").empty());
  EvalAt(*m, kT0 + 70 * kSec, 5);
  auto again = Named(sink_.Take(), "XHigh");
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].starts_at, kT0) << "FiredAt survives the restart";
  // XSlow fires when 2 m of pending (not counting the downtime) have passed: at +130 s.
  for (int s = 80; s <= 120; s += 10) EvalAt(*m, kT0 + s * kSec, 5);
  EXPECT_TRUE(Named(sink_.Take(), "XSlow").empty());
  EvalAt(*m, kT0 + 130 * kSec, 5);
  EXPECT_EQ(Named(sink_.Take(), "XSlow").size(), 1u);
}

TEST_F(ManagerTest, ConditionClearedWhileDownProducesAResolve) {
  {
    auto m = NewManager(state_.path());
    EvalAt(*m, kT0, 5);
    EXPECT_EQ(Named(sink_.Take(), "XHigh").size(), 1u);
  }
  auto m = NewManager(state_.path());
  EvalAt(*m, kT0 + 30 * kSec, 0);
  auto high = Named(sink_.Take(), "XHigh");
  ASSERT_EQ(high.size(), 1u);
  EXPECT_EQ(high[0].starts_at, kT0);
  EXPECT_EQ(high[0].ends_at, kT0 + 30 * kSec);
}

TEST_F(ManagerTest, CorruptStateIsSetAsideAndCounted) {
  fs::create_directories(state_.path() + "/rules");
  WriteFile(state_.path() + "/rules/0123456789abcdef.json", "{not json");
  auto m = NewManager(state_.path());
  EXPECT_EQ(m->Snapshot().state_load_errors, 1u);
  EXPECT_FALSE(fs::exists(state_.path() + "/rules/0123456789abcdef.json"));
  bool aside = false;
  for (const auto& e : fs::directory_iterator(state_.path() + "/rules")) {
    aside = aside || e.path().filename().string().find(".corrupt-") != std::string::npos;
  }
  EXPECT_TRUE(aside);
  EvalAt(*m, kT0, 5);  // still works
  EXPECT_EQ(Named(sink_.Take(), "XHigh").size(), 1u);
}

TEST_F(ManagerTest, ReloadKeepsStateOfUnchangedRulesAndBrokenFileKeepsOldRules) {
  auto m = NewManager();
  for (int s = 0; s <= 60; s += 10) EvalAt(*m, kT0 + s * kSec, 5);
  sink_.Take();
  // Change the expression of XHigh (identity = name + labels, so its state is kept) and drop
  // XSlow.
  WriteFile(rules_path_, R"(groups:
  - name: g
    interval: 10s
    rules:
      - alert: XHigh
        expr: x > 2
        labels: {severity: page}
)");
  ASSERT_TRUE(m->Update(settings_).ok());
  EvalAt(*m, kT0 + 70 * kSec, 5);
  auto snap = m->Snapshot();
  ASSERT_EQ(snap.groups[0].rules.size(), 1u);
  ASSERT_EQ(snap.groups[0].rules[0].alerts.size(), 1u);
  EXPECT_EQ(snap.groups[0].rules[0].alerts[0].active_at, kT0) << "state kept across reload";
  // Last sent at T0: the resend cadence continues (T0 + 1 m < T0 + 70 s).
  EXPECT_EQ(Named(sink_.Take(), "XHigh").size(), 1u);

  WriteFile(rules_path_,
            "groups:\n  - name: g\n    rules:\n      - alert: Bad\n        expr: x >\n");
  Status st = m->Update(settings_);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("r.yml"), std::string::npos) << st.message();
  snap = m->Snapshot();
  ASSERT_EQ(snap.groups[0].rules.size(), 1u);
  EXPECT_EQ(snap.groups[0].rules[0].name, "XHigh") << "old rules keep running";
}

TEST_F(ManagerTest, PrepareChangesNothingUntilTheSwapRuns) {
  auto m = NewManager();
  WriteFile(rules_path_,
            "groups:\n  - name: other\n    rules:\n      - record: r\n        expr: x\n");
  auto swap = m->Prepare(settings_);
  ASSERT_TRUE(swap.ok()) << swap.status().message();
  EXPECT_EQ(m->Snapshot().groups[0].name, "g");
  (*swap)();
  EXPECT_EQ(m->Snapshot().groups[0].name, "other");
  WriteFile(rules_path_, "groups: [");
  EXPECT_FALSE(m->Prepare(settings_).ok());
}

TEST_F(ManagerTest, FailingRuleReportsHealthErr) {
  WriteFile(rules_path_, R"(groups:
  - name: g
    rules:
      - record: bad
        expr: x + on(instance) group_left y
)");
  auto m = NewManager();
  auto app = store_.NewAppender("y", kT0);
  ASSERT_TRUE(app->AddAt(Labels{{"__name__", "y"}, {"instance", "a"}, {"k", "1"}}, kT0, 1).ok());
  ASSERT_TRUE(app->AddAt(Labels{{"__name__", "y"}, {"instance", "a"}, {"k", "2"}}, kT0, 1).ok());
  ASSERT_TRUE(app->Commit().ok());
  EvalAt(*m, kT0, 1);
  auto r = m->Snapshot().groups[0].rules[0];
  EXPECT_EQ(r.health, "err");
  EXPECT_FALSE(r.last_error.empty());
  EXPECT_EQ(r.failures, 1u);
}

// The runner waits on the monotonic clock: stepping the wall clock back an hour changes the
// evaluation timestamps, not the rhythm (without it the group would stall for an hour).
TEST_F(ManagerTest, WallClockSteppedBackAnHourKeepsTheSchedule) {
  auto m = NewManager();
  m->Start();
  auto iterations = [&] { return m->Snapshot().groups.at(0).iterations; };
  // Lets time flow a second per step until `n` evaluations happened; returns the seconds it
  // took, or -1 past 60 s of clock time (each step also waits for the runner, bounded).
  auto seconds_until = [&](uint64_t n) {
    for (int s = 0; s <= 60; ++s) {
      for (int i = 0; i < 100 && iterations() < n; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      if (iterations() >= n) return s;
      clock_.Advance(std::chrono::seconds(1));
    }
    return -1;
  };
  int first = seconds_until(1);
  ASSERT_GE(first, 0);
  EXPECT_LE(first, 11);  // the group's 10 s interval, plus the step that crosses it
  clock_.StepWall(-std::chrono::hours(1));
  int next = seconds_until(2);
  EXPECT_GE(next, 0) << "no evaluation within a minute after the wall clock stepped back";
  EXPECT_LE(next, 11);
  m->Stop();
}

// A manager on the system clock whose store's commits reach OnCommit, wired as the daemon does.
struct WiredManager {
  explicit WiredManager(std::string state_dir = "")
      : manager(ManagerDeps{.engine = &engine,
                            .store = &store,
                            .clock = &SystemClock::Instance(),
                            .state_dir = std::move(state_dir),
                            .notify = sink.Fn(),
                            .log_handoff = false}) {
    store.SetCommitListener(
        [this](std::string_view s, const CommitNames& names) { manager.OnCommit(s, names); });
  }
  SeriesStore store{StoreOptions{}};
  promql::Engine engine;
  Sink sink;
  Manager manager;
};

// Event-driven evaluation adds evaluations right after commits; it must not change what the
// alerts do, only when within an interval they do it. The same input (x sampled at 5 s past
// every 10 s slot, above 0 from 35 s to 105 s) through interval evaluation alone and through
// interval + event evaluation: each alert fires and resolves once in both, never later with
// events and at most one interval earlier (the `for` and keep_firing_for timers start at the
// commit instead of at the next slot).
TEST(ManagerTimelines, EventEvaluationsKeepIntervalTimelinesAtIntervalGranularity) {
  TempDir dir;
  WriteFile(dir.path() + "/r.yml", R"(groups:
  - name: g
    interval: 10s
    rules:
      - alert: Slow
        expr: x > 0
        for: 30s
      - alert: Sticky
        expr: x > 0
        keep_firing_for: 20s
)");
  struct Episode {
    TimestampMs fired = 0;
    TimestampMs resolved = 0;
    int firings = 0;
  };
  auto run = [&](bool events) {
    FakeClock clock(kT0);
    SeriesStore store(StoreOptions{.retention = std::chrono::hours(1)});
    promql::Engine engine;
    Sink sink;
    Manager m(ManagerDeps{.engine = &engine,
                          .store = &store,
                          .clock = &clock,
                          .state_dir = "",
                          .notify = sink.Fn(),
                          .log_handoff = false});
    ManagerSettings settings;
    settings.rule_files = {dir.path() + "/r.yml"};
    EXPECT_TRUE(m.Update(settings).ok());
    std::map<std::string, Episode> out;
    for (int64_t t = 0; t <= 200 * kSec; t += 5 * kSec) {
      clock.Set(kT0 + t);
      const bool slot = t % (10 * kSec) == 0;
      if (!slot) {
        auto app = store.NewAppender("scrape/app/a", kT0 + t);
        const double v = t >= 35 * kSec && t <= 105 * kSec ? 1 : 0;
        EXPECT_TRUE(app->Add(Labels{{"__name__", "x"}, {"job", "app"}}, v).ok());
        EXPECT_TRUE(app->Commit().ok());
      }
      if (slot || events) m.EvalAllAt(kT0 + t);
      for (const tocsin::Alert& a : sink.Take()) {
        Episode& e = out[std::string(a.Name())];
        const bool resolved = a.ends_at != 0 && a.ends_at <= kT0 + t;
        if (resolved && e.resolved == 0) e.resolved = a.ends_at - kT0;
        if (!resolved && e.fired != a.starts_at - kT0) {
          e.fired = a.starts_at - kT0;
          ++e.firings;
        }
      }
    }
    return out;
  };
  auto interval = run(false);
  auto event = run(true);
  for (const char* name : {"Slow", "Sticky"}) {
    SCOPED_TRACE(name);
    const Episode& i = interval[name];
    const Episode& e = event[name];
    ASSERT_EQ(i.firings, 1);
    ASSERT_EQ(e.firings, 1);
    ASSERT_NE(i.resolved, 0);
    ASSERT_NE(e.resolved, 0);
    EXPECT_LE(e.fired, i.fired);
    EXPECT_GT(e.fired, i.fired - 10 * kSec);
    EXPECT_LE(e.resolved, i.resolved);
    EXPECT_GT(e.resolved, i.resolved - 10 * kSec);
  }
  EXPECT_EQ(interval["Slow"].fired, 70 * kSec) << "activeAt 40 s + for 30 s";
  EXPECT_EQ(event["Slow"].fired, 65 * kSec) << "activeAt 35 s (the commit) + for 30 s";
  EXPECT_EQ(interval["Slow"].resolved, 120 * kSec) << "x = 0 (committed at 115 s) seen at 120 s";
  EXPECT_EQ(event["Slow"].resolved, 115 * kSec);
  EXPECT_EQ(interval["Sticky"].resolved, 140 * kSec) << "x = 0 seen at 120 s + 20 s";
  EXPECT_EQ(event["Sticky"].resolved, 135 * kSec) << "x = 0 committed at 115 s + 20 s";
}

TEST(ManagerThreads, EventDrivenEvaluationFollowsACommit) {
  TempDir dir;
  WriteFile(dir.path() + "/r.yml",
            "groups:\n  - name: g\n    interval: 1h\n    rules:\n      - alert: Up\n"
            "        expr: flip == 2\n");
  WiredManager w;
  auto& store = w.store;
  auto& sink = w.sink;
  Manager& m = w.manager;
  ManagerSettings s;
  s.rule_files = {dir.path() + "/r.yml"};
  s.event_driven = true;
  ASSERT_TRUE(m.Update(s).ok());
  m.Start();
  TimestampMs t = SystemClock::Instance().NowMs();
  auto app = store.NewAppender("scrape/app/a", t);
  ASSERT_TRUE(app->AddAt(Labels{{"__name__", "flip"}}, t, 2).ok());
  ASSERT_TRUE(app->Commit().ok());
  bool got = false;
  for (int i = 0; i < 400 && !got; ++i) {  // bounded poll, up to ~20 s
    got = !sink.Take().empty();
    if (!got) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(got);
  EXPECT_GE(m.Snapshot().groups[0].event_evaluations, 1u);
  m.Stop();
}

// A commit wakes the groups that read what it wrote, through recording rules of other groups,
// and no others. Interval slots are an hour away, so every evaluation counted is event-driven.
TEST(ManagerThreads, CommitWakesOnlyTheGroupsReadingItsMetricsAndRecordingRulesPropagate) {
  TempDir dir;
  WriteFile(dir.path() + "/r.yml", R"(groups:
  - name: reads_a
    interval: 1h
    rules:
      - alert: A
        expr: a > 0
  - name: reads_b
    interval: 1h
    rules:
      - alert: B
        expr: b > 0
  - name: records
    interval: 1h
    rules:
      - record: a:doubled
        expr: a * 2
  - name: reads_recorded
    interval: 1h
    rules:
      - alert: Doubled
        expr: a:doubled > 3
  - name: reads_any
    interval: 1h
    rules:
      - alert: AnyJob
        expr: count({job="x"}) > 0
  - name: reads_nothing
    interval: 1h
    rules:
      - alert: Always
        expr: vector(1)
)");
  WiredManager w;
  auto& store = w.store;
  auto& sink = w.sink;
  Manager& m = w.manager;
  ManagerSettings s;
  s.rule_files = {dir.path() + "/r.yml"};
  ASSERT_TRUE(s.event_driven) << "event-driven evaluation is the default";
  ASSERT_TRUE(m.Update(s).ok());
  m.Start();
  TimestampMs t = SystemClock::Instance().NowMs();
  auto app = store.NewAppender("scrape/app/a", t);
  ASSERT_TRUE(app->AddAt(Labels{{"__name__", "a"}, {"job", "x"}}, t, 2).ok());
  ASSERT_TRUE(app->Commit().ok());
  auto events = [&m] {
    std::map<std::string, uint64_t> out;
    for (const auto& g : m.Snapshot().groups) out[g.name] = g.event_evaluations;
    return out;
  };
  std::set<std::string> fired;
  for (int i = 0; i < 400 && !fired.count("Doubled"); ++i) {  // bounded poll, up to ~20 s
    for (const auto& a : sink.Take()) fired.insert(std::string(a.labels.Get("alertname")));
    if (!fired.count("Doubled")) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  m.Stop();
  EXPECT_TRUE(fired.count("A"));
  EXPECT_TRUE(fired.count("Doubled")) << "the recorded a:doubled must wake its reader";
  EXPECT_TRUE(fired.count("AnyJob"));
  auto ev = events();
  EXPECT_GE(ev["reads_a"], 1u);
  EXPECT_GE(ev["records"], 1u);
  EXPECT_GE(ev["reads_recorded"], 1u);
  EXPECT_GE(ev["reads_any"], 1u);
  EXPECT_EQ(ev["reads_b"], 0u) << "nothing wrote b";
  EXPECT_EQ(ev["reads_nothing"], 0u) << "vector(1) reads no series";
  EXPECT_FALSE(fired.count("B"));
}

TEST(ManagerThreads, ReloadSnapshotAndCommitsConcurrently) {
  TempDir dir;
  TempDir state;
  const std::string rules = dir.path() + "/r.yml";
  WriteFile(rules,
            "groups:\n  - name: g\n    interval: 50ms\n    rules:\n      - alert: Up\n"
            "        expr: flip > 0\n      - record: r\n        expr: flip * 2\n");
  WiredManager w{state.path()};
  auto& store = w.store;
  auto& sink = w.sink;
  Manager& m = w.manager;
  ManagerSettings s;
  s.rule_files = {rules};
  s.event_driven = true;
  ASSERT_TRUE(m.Update(s).ok());
  m.Start();
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    while (!stop) {
      TimestampMs t = SystemClock::Instance().NowMs();
      auto app = store.NewAppender("scrape/app/a", t);
      (void)app->AddAt(Labels{{"__name__", "flip"}}, t, 1);
      (void)app->Commit();
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(m.Update(s).ok());
    (void)m.Snapshot();
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
  }
  bool evaluated = false;
  for (int i = 0; i < 400 && !evaluated; ++i) {  // bounded poll
    auto snap = m.Snapshot();
    evaluated = !snap.groups.empty() && snap.groups[0].iterations > 0;
    if (!evaluated) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  stop = true;
  writer.join();
  m.Stop();
  EXPECT_TRUE(evaluated);
  EXPECT_FALSE(sink.Take().empty());
}

}  // namespace
}  // namespace tocsin::rules
