// TimedStatFs: a blocked statvfs is abandoned at the deadline and not retried while stuck.
#include "collectors/system/statfs.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace tocsin::system {
namespace {

class GateStatFs final : public StatFs {
 public:
  Result<FsStats> Stat(const std::string& path) override {
    std::unique_lock<std::mutex> lock(mu_);
    ++calls_;
    if (path == "/blocked") cv_.wait(lock, [this] { return open_; });
    FsStats s;
    s.block_size = 4096;
    s.blocks = path.size();
    return s;
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  int calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
  int calls_ = 0;
};

TEST(SystemTimedStatFs, ReturnsTheInnerResult) {
  auto inner = std::make_shared<GateStatFs>();
  TimedStatFs t(inner);
  auto r = t.Stat("/abc", std::chrono::steady_clock::now() + std::chrono::minutes(1));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->blocks, 4u);
  EXPECT_EQ(t.stuck_count(), 0u);
}

TEST(SystemTimedStatFs, BlockedCallTimesOutAndIsNotRetriedUntilItReturns) {
  auto inner = std::make_shared<GateStatFs>();
  TimedStatFs t(inner);
  auto r = t.Stat("/blocked", std::chrono::steady_clock::now() + std::chrono::milliseconds(10));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(t.stuck_count(), 1u);
  // While stuck: answered at once, without another call (thread) into the inner StatFs.
  auto again = t.Stat("/blocked", std::chrono::steady_clock::now() + std::chrono::minutes(1));
  EXPECT_EQ(again.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(inner->calls(), 1);
  // Other paths are unaffected.
  EXPECT_TRUE(t.Stat("/ok", std::chrono::steady_clock::now() + std::chrono::minutes(1)).ok());

  inner->Open();
  // The helper thread clears the stuck mark once the call returns.
  auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (t.stuck_count() != 0 && std::chrono::steady_clock::now() < limit) {
    std::this_thread::yield();
  }
  ASSERT_EQ(t.stuck_count(), 0u);
  auto r2 = t.Stat("/blocked", std::chrono::steady_clock::now() + std::chrono::minutes(1));
  ASSERT_TRUE(r2.ok()) << r2.status().ToString();
  EXPECT_EQ(r2->blocks, 8u);
}

TEST(SystemRealStatFs, StatsTheRootAndFailsOnMissingPaths) {
  auto fs = MakeRealStatFs();
  auto root = fs->Stat("/");
  ASSERT_TRUE(root.ok()) << root.status().ToString();
  EXPECT_GT(root->block_size, 0u);
  EXPECT_GT(root->blocks, 0u);
  EXPECT_LE(root->blocks_avail, root->blocks_free);
  EXPECT_FALSE(fs->Stat("/nonexistent/tocsin/path").ok());
}

}  // namespace
}  // namespace tocsin::system
