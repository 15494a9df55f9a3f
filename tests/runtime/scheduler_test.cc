// Scheduler: the exception barrier around collections and housekeeping, and housekeeping off
// the scheduling thread (whose heartbeat the systemd watchdog reads).
#include "agent/runtime/scheduler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <stdexcept>
#include <thread>

#include "agent/core/internal_errors.h"
#include "tests/fakes/eventually.h"

namespace tocsin {
namespace {

using std::chrono::milliseconds;

using testing::Eventually;

class CountingCollector : public Collector {
 public:
  CountingCollector(std::string name, bool throws, std::shared_ptr<std::atomic<int>> runs)
      : name_(std::move(name)), throws_(throws), runs_(std::move(runs)) {}
  std::string_view name() const override { return name_; }
  Status Collect(const CollectContext&, Appender& out) override {
    ++*runs_;
    if (throws_) throw std::out_of_range("collector bug");
    return out.Add(Labels{{"__name__", "ok_total"}}, static_cast<double>(runs_->load()));
  }

 private:
  std::string name_;
  bool throws_;
  std::shared_ptr<std::atomic<int>> runs_;
};

const CollectorStats* Find(const std::vector<CollectorStats>& stats, const std::string& name) {
  for (const auto& s : stats) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

class SchedulerTest : public ::testing::Test {
 protected:
  ScheduledCollector Make(const std::string& name, bool throws,
                          std::shared_ptr<std::atomic<int>> runs) {
    return {std::make_unique<CountingCollector>(name, throws, std::move(runs)), milliseconds(10),
            milliseconds(10)};
  }
  SeriesStore store_{StoreOptions{}};
  Scheduler scheduler_{store_, SystemClock::Instance(), 2};
};

TEST_F(SchedulerTest, ThrowingCollectorIsCountedAndTheOthersCarryOn) {
  uint64_t before = InternalErrors::Process().Snapshot()["scheduler"];
  auto bad_runs = std::make_shared<std::atomic<int>>(0);
  auto good_runs = std::make_shared<std::atomic<int>>(0);
  std::vector<ScheduledCollector> cs;
  cs.push_back(Make("bad", true, bad_runs));
  cs.push_back(Make("good", false, good_runs));
  scheduler_.SetCollectors(std::move(cs));
  scheduler_.Start();
  ASSERT_TRUE(Eventually([&] { return *bad_runs >= 3 && *good_runs >= 3; }));
  scheduler_.Stop();
  auto stats = scheduler_.Stats();
  const CollectorStats* bad = Find(stats, "bad");
  ASSERT_NE(bad, nullptr);
  EXPECT_GE(bad->failures, 3u);
  EXPECT_FALSE(bad->last_success);
  EXPECT_EQ(Find(stats, "good")->failures, 0u);
  EXPECT_GE(InternalErrors::Process().Snapshot()["scheduler"], before + 3);
}

TEST_F(SchedulerTest, SlowHousekeepingStallsNeitherHeartbeatNorCollections) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<bool> entered{false};
  scheduler_.AddHousekeeping(milliseconds(10), [&, released] {
    entered = true;
    released.wait();
  });
  auto runs = std::make_shared<std::atomic<int>>(0);
  std::vector<ScheduledCollector> cs;
  cs.push_back(Make("good", false, runs));
  scheduler_.SetCollectors(std::move(cs));
  scheduler_.Start();
  ASSERT_TRUE(Eventually([&] { return entered.load(); }));
  auto heartbeat = scheduler_.LastHeartbeat();
  int runs_then = *runs;
  // While compaction is stuck the loop keeps going round and collections keep running.
  EXPECT_TRUE(
      Eventually([&] { return scheduler_.LastHeartbeat() > heartbeat && *runs >= runs_then + 3; }));
  release.set_value();
  scheduler_.Stop();
}

TEST_F(SchedulerTest, ThrowingHousekeepingTaskRunsAgain) {
  std::atomic<int> calls{0};
  scheduler_.AddHousekeeping(milliseconds(10), [&] {
    ++calls;
    throw std::runtime_error("compaction bug");
  });
  scheduler_.Start();
  EXPECT_TRUE(Eventually([&] { return calls >= 3; }));
  scheduler_.Stop();
}

}  // namespace
}  // namespace tocsin
