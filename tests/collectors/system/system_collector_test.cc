// Golden tests of the system collector over fixture /proc and /sys trees.
#include "collectors/system/system_collector.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "agent/core/clock.h"
#include "tests/collectors/system/fake_statfs.h"
#include "tests/collectors/system/golden.h"
#include "tests/fakes/recording_appender.h"

namespace tocsin {
namespace {

using testing::ExpectGolden;
using testing::FakeStatFs;
using testing::RecordingAppender;
using testing::SystemFixtureDir;

system::FsStats Fs(uint64_t bsize, uint64_t blocks, uint64_t bfree, uint64_t bavail, uint64_t files,
                   uint64_t ffree) {
  return system::FsStats{bsize, blocks, bfree, bavail, files, ffree};
}

// The statvfs answers for the mount points of the fixtures' mount tables.
std::shared_ptr<FakeStatFs> FixtureStatFs() {
  return std::make_shared<FakeStatFs>(std::map<std::string, system::FsStats>{
      {"/", Fs(4096, 66053998, 61798319, 20829594, 16777216, 16363559)},
      {"/var/lib/postgresql", Fs(4096, 26214400, 13107200, 11796480, 6553600, 6553000)},
      {"/srv/backup copies", Fs(4096, 1000, 10, 0, 64, 3)},
      {"/run", Fs(4096, 1234250, 1234000, 1234000, 3086000, 3085000)},
      // /mnt/nfs is absent: its statvfs fails (device_error 1).
  });
}

struct CollectRun {
  Status status;
  RecordingAppender out;
};

void Collect(const std::string& fixture, CollectRun& run,
             SystemCollectorOptions options = SystemCollectorOptions{}) {
  SystemCollectorConfig config;
  config.enabled = true;
  config.procfs = SystemFixtureDir(fixture) + "/proc";
  config.sysfs = SystemFixtureDir(fixture) + "/sys";
  config.rootfs = "/";
  static FakeClock clock(1'700'000'000'000);
  if (!options.statfs) options.statfs = FixtureStatFs();
  options.clock = &clock;
  options.user_hz = 100;
  Result<std::unique_ptr<Collector>> c = MakeSystemCollector(config, std::move(options));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ((*c)->name(), "system");
  CollectContext ctx;
  ctx.now_ms = 1'700'000'000'000;
  ctx.deadline = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  run.status = (*c)->Collect(ctx, run.out);
}

void ExpectWellFormed(const RecordingAppender& out) {
  EXPECT_TRUE(out.NamesWithoutMetadata().empty())
      << "no metadata for: " << ::testing::PrintToString(out.NamesWithoutMetadata());
  EXPECT_TRUE(out.DuplicateSeries().empty())
      << "duplicates: " << ::testing::PrintToString(out.DuplicateSeries());
}

TEST(SystemCollectorGolden, V1Hybrid) {
  CollectRun run;
  Collect("v1_hybrid", run);
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  ExpectWellFormed(run.out);
  ExpectGolden(SystemFixtureDir("v1_hybrid") + "/expected.prom", run.out.Render());
}

}  // namespace
}  // namespace tocsin
