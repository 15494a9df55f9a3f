#include "agent/runtime/systemd_notify.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <sstream>
#include <string>

#include "tests/config/test_dir.h"
#include "tests/runtime/datagram_socket.h"

namespace tocsin {
namespace {

using testing_support::DatagramSocket;
using testing_support::ScopedEnv;
using testing_support::TempDir;

uint64_t MonotonicUsec() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000u + static_cast<uint64_t>(ts.tv_nsec) / 1000;
}

std::string Next(DatagramSocket& socket) {
  auto datagram = socket.Receive();
  EXPECT_TRUE(datagram.has_value()) << "no notification within the bound";
  return datagram ? datagram->data : "";
}

// Every message the daemon sends, in the order it sends them, to `socket`.
void ExpectProtocol(DatagramSocket& socket) {
  SystemdNotifier notifier;
  ASSERT_TRUE(notifier.enabled());
  notifier.Ready("Running; serving /metrics on 127.0.0.1:9469");
  EXPECT_EQ(Next(socket), "READY=1\nSTATUS=Running; serving /metrics on 127.0.0.1:9469");
  notifier.Watchdog();
  EXPECT_EQ(Next(socket), "WATCHDOG=1");

  uint64_t before = MonotonicUsec();
  notifier.Reloading();
  uint64_t after = MonotonicUsec();
  std::string reloading = Next(socket);
  const std::string prefix = "RELOADING=1\nSTATUS=Reloading configuration\nMONOTONIC_USEC=";
  ASSERT_EQ(reloading.substr(0, prefix.size()), prefix) << reloading;
  uint64_t usec = std::stoull(reloading.substr(prefix.size()));
  EXPECT_GE(usec, before);
  EXPECT_LE(usec, after);

  notifier.Status("Reloaded");
  EXPECT_EQ(Next(socket), "STATUS=Reloaded");
  notifier.Stopping();
  EXPECT_EQ(Next(socket), "STOPPING=1\nSTATUS=Shutting down");
  EXPECT_TRUE(socket.Empty());
}

TEST(SystemdNotifierTest, SendsToPathSocket) {
  TempDir dir;
  std::string path = (dir.path() / "notify.sock").string();
  DatagramSocket socket(path, /*abstract=*/false);
  ScopedEnv env("NOTIFY_SOCKET", path);
  ExpectProtocol(socket);
}

TEST(SystemdNotifierTest, SendsToAbstractSocket) {
  std::string name = "tocsin-notify-test-" + std::to_string(getpid());
  DatagramSocket socket(name, /*abstract=*/true);
  ScopedEnv env("NOTIFY_SOCKET", "@" + name);
  ExpectProtocol(socket);
}

TEST(SystemdNotifierTest, WithoutNotifySocketEveryCallIsANoOp) {
  ScopedEnv env("NOTIFY_SOCKET", std::nullopt);
  ScopedEnv usec("WATCHDOG_USEC", std::nullopt);
  SystemdNotifier notifier;
  EXPECT_FALSE(notifier.enabled());
  EXPECT_EQ(notifier.WatchdogTimeout(), std::nullopt);
  notifier.Ready("x");
  notifier.Watchdog();
  notifier.Reloading();
  notifier.Status("x");
  notifier.Stopping();
}

// Everything libsystemd refuses (a relative address, a socket that is gone) is logged with the
// reason, once per distinct error rather than on every watchdog ping.
TEST(SystemdNotifierTest, SendFailureIsLoggedOnceWithTheReason) {
  TempDir dir;
  std::ostringstream log;
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>(
      "capture", std::make_shared<spdlog::sinks::ostream_sink_st>(log)));
  {
    ScopedEnv env("NOTIFY_SOCKET", (dir.path() / "gone.sock").string());
    SystemdNotifier notifier;
    EXPECT_TRUE(notifier.enabled());
    notifier.Watchdog();
    notifier.Watchdog();
    notifier.Status("x");
  }
  std::string gone = log.str();
  log.str("");
  {
    ScopedEnv env("NOTIFY_SOCKET", "relative/notify.sock");
    SystemdNotifier().Watchdog();
  }
  std::string relative = log.str();
  spdlog::set_default_logger(previous);
  EXPECT_THAT(gone, ::testing::HasSubstr("sd_notify failed"));
  EXPECT_THAT(gone, ::testing::HasSubstr("No such file or directory"));
  EXPECT_EQ(gone.find("sd_notify failed"), gone.rfind("sd_notify failed")) << gone;
  EXPECT_THAT(relative,
              ::testing::HasSubstr("sd_notify failed (NOTIFY_SOCKET=relative/notify.sock)"));
}

TEST(SystemdNotifierTest, WatchdogFollowsWatchdogUsecAndPid) {
  ScopedEnv usec("WATCHDOG_USEC", "400000");
  {
    ScopedEnv pid("WATCHDOG_PID", std::nullopt);
    EXPECT_EQ(SystemdNotifier().WatchdogTimeout(), std::chrono::microseconds(400000));
  }
  {
    ScopedEnv pid("WATCHDOG_PID", std::to_string(getpid()));
    EXPECT_EQ(SystemdNotifier().WatchdogTimeout(), std::chrono::microseconds(400000));
  }
  {
    // Meant for another process (e.g. our parent, whose environment we inherited).
    ScopedEnv pid("WATCHDOG_PID", std::to_string(getpid() == 1 ? 2 : getpid() - 1));
    EXPECT_EQ(SystemdNotifier().WatchdogTimeout(), std::nullopt);
  }
  {
    ScopedEnv pid("WATCHDOG_PID", "not-a-pid");
    EXPECT_EQ(SystemdNotifier().WatchdogTimeout(), std::nullopt);
  }
}

TEST(SystemdNotifierTest, InvalidWatchdogUsecDisablesWatchdog) {
  ScopedEnv pid("WATCHDOG_PID", std::nullopt);
  for (const char* value : {"0", "", "abc", "12x", "-5", "99999999999999999999"}) {
    ScopedEnv usec("WATCHDOG_USEC", value);
    EXPECT_EQ(SystemdNotifier().WatchdogTimeout(), std::nullopt) << value;
  }
  ScopedEnv usec("WATCHDOG_USEC", std::nullopt);
  EXPECT_EQ(SystemdNotifier().WatchdogTimeout(), std::nullopt);
}

}  // namespace
}  // namespace tocsin
