// Daemon: a reload is all-or-nothing across the collectors and the optional stages, a failed
// reload keeps the running configuration and is reported, and a good one swaps every stage.
#include "agent/runtime/daemon.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "tests/fakes/eventually.h"

namespace tocsin {
namespace {

using std::chrono::milliseconds;

class NamedCollector : public Collector {
 public:
  explicit NamedCollector(std::string name) : name_(std::move(name)) {}
  std::string_view name() const override { return name_; }
  Status Collect(const CollectContext&, Appender&) override { return Status::Ok(); }

 private:
  std::string name_;
};

// A configuration's generation travels in an external label; `fail` names the stage that
// refuses it.
Config MakeConfig(const std::string& generation, const std::string& fail = "") {
  Config c;
  c.global.external_labels["generation"] = generation;
  if (!fail.empty()) c.global.external_labels["fail"] = fail;
  return c;
}

std::string Generation(const Config& c) { return c.global.external_labels.at("generation"); }
bool Fails(const Config& c, const std::string& stage) {
  auto it = c.global.external_labels.find("fail");
  return it != c.global.external_labels.end() && it->second == stage;
}

class DaemonTest : public ::testing::Test {
 protected:
  DaemonTest() {
    DaemonHooks hooks;
    hooks.load_config = [this]() -> Result<Config> {
      std::lock_guard lock(mu_);
      Config next = std::move(next_.front());
      next_.pop_front();
      if (Fails(next, "load")) return InvalidArgument("tocsin.yml:3:5: global.interval: bad");
      return next;
    };
    hooks.build_collectors = [](const Config& c) -> Result<std::vector<ScheduledCollector>> {
      if (Fails(c, "collectors")) return InvalidArgument("collectors.postgres[0]: bad dsn");
      std::vector<ScheduledCollector> out;
      out.push_back({std::make_unique<NamedCollector>("gen" + Generation(c)), milliseconds(3600000),
                     milliseconds(1000)});
      return out;
    };
    auto stage = [this](std::string name) {
      return [this, name](const Config& c) -> Result<std::function<void()>> {
        if (Fails(c, name)) return InvalidArgument(name + ": refused");
        std::string gen = Generation(c);
        return std::function<void()>([this, name, gen] {
          std::lock_guard lock(mu_);
          installed_.push_back(name + "=" + gen);
        });
      };
    };
    hooks.prepare_rules = stage("rules");
    hooks.prepare_alerting = stage("alerting");
    daemon_ =
        std::make_unique<Daemon>(MakeConfig("1"), std::move(hooks), scheduler_, notifier_, clock_);
  }
  ~DaemonTest() override { daemon_->Stop(); }

  void Next(Config c) {
    std::lock_guard lock(mu_);
    next_.push_back(std::move(c));
  }
  std::vector<std::string> Installed() {
    std::lock_guard lock(mu_);
    return installed_;
  }
  std::vector<std::string> Collectors() {
    std::vector<std::string> names;
    for (const auto& s : scheduler_.Stats()) names.push_back(s.name);
    return names;
  }

  FakeClock clock_{1'000'000};
  SeriesStore store_{StoreOptions{}};
  Scheduler scheduler_{store_, clock_, 1};
  SystemdNotifier notifier_;  // no NOTIFY_SOCKET in tests: every call is a no-op
  std::mutex mu_;
  std::deque<Config> next_;
  std::vector<std::string> installed_;
  std::unique_ptr<Daemon> daemon_;
};

TEST_F(DaemonTest, StartInstallsEveryStage) {
  ASSERT_TRUE(daemon_->Start().ok());
  EXPECT_EQ(Installed(), (std::vector<std::string>{"rules=1", "alerting=1"}));
  EXPECT_EQ(Collectors(), std::vector<std::string>{"gen1"});
  EXPECT_TRUE(daemon_->reload_status().last_successful);
  EXPECT_EQ(daemon_->reload_status().last_success_ms, 1'000'000);
}

TEST_F(DaemonTest, AStageThatRefusesLeavesEveryStageOnTheRunningConfig) {
  ASSERT_TRUE(daemon_->Start().ok());
  clock_.Advance(milliseconds(5000));
  for (const std::string stage : {"load", "collectors", "rules", "alerting"}) {
    SCOPED_TRACE(stage);
    Next(MakeConfig("2", stage));
    Status st = daemon_->Reload();
    EXPECT_FALSE(st.ok());
    // The rules stage accepted the config when alerting refused it, but its swap never ran.
    EXPECT_EQ(Installed(), (std::vector<std::string>{"rules=1", "alerting=1"}));
    EXPECT_EQ(Collectors(), std::vector<std::string>{"gen1"});
    EXPECT_EQ(Generation(*daemon_->config()), "1");
    ReloadStatus r = daemon_->reload_status();
    EXPECT_FALSE(r.last_successful);
    EXPECT_EQ(r.last_error, st.message());
    EXPECT_EQ(r.last_success_ms, 1'000'000);  // the start, not the failed attempt
  }
  EXPECT_EQ(daemon_->reload_status().failures, 4u);
}

TEST_F(DaemonTest, AGoodReloadAfterAFailedOneSwapsEverything) {
  ASSERT_TRUE(daemon_->Start().ok());
  Next(MakeConfig("2", "alerting"));
  EXPECT_FALSE(daemon_->Reload().ok());
  clock_.Advance(milliseconds(7000));
  Next(MakeConfig("3"));
  ASSERT_TRUE(daemon_->Reload().ok());
  EXPECT_EQ(Installed(),
            (std::vector<std::string>{"rules=1", "alerting=1", "rules=3", "alerting=3"}));
  EXPECT_EQ(Collectors(), std::vector<std::string>{"gen3"});
  EXPECT_EQ(Generation(*daemon_->config()), "3");
  ReloadStatus r = daemon_->reload_status();
  EXPECT_TRUE(r.last_successful);
  EXPECT_EQ(r.failures, 1u);  // the count of failures is kept, as Prometheus's counter
  EXPECT_EQ(r.last_error, "");
  EXPECT_EQ(r.last_success_ms, 1'007'000);
}

TEST_F(DaemonTest, RequestedReloadsRunOnTheReloadThread) {
  ASSERT_TRUE(daemon_->Start().ok());
  Next(MakeConfig("2"));
  daemon_->RequestReload();
  EXPECT_TRUE(testing::Eventually([&] { return Generation(*daemon_->config()) == "2"; }));
  EXPECT_EQ(Collectors(), std::vector<std::string>{"gen2"});
}

}  // namespace
}  // namespace tocsin
