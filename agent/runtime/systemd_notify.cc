#include "agent/runtime/systemd_notify.h"

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include <cinttypes>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>

namespace tocsin {

SystemdNotifier::SystemdNotifier() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  enabled_ = socket != nullptr && *socket != '\0';
  // > 0: WATCHDOG_USEC is set for us (WATCHDOG_PID, when set, names this process; a child
  // started with our environment must not take over our pings); < 0: malformed.
  uint64_t usec = 0;
  int r = sd_watchdog_enabled(/*unset_environment=*/0, &usec);
  if (r < 0) {
    spdlog::warn("ignoring invalid WATCHDOG_USEC=\"{}\" / WATCHDOG_PID=\"{}\": {}",
                 std::getenv("WATCHDOG_USEC") ? std::getenv("WATCHDOG_USEC") : "",
                 std::getenv("WATCHDOG_PID") ? std::getenv("WATCHDOG_PID") : "", std::strerror(-r));
  } else if (r > 0 && usec > 0 &&
             usec <= static_cast<uint64_t>(
                         std::numeric_limits<std::chrono::microseconds::rep>::max())) {
    watchdog_ = std::chrono::microseconds(static_cast<std::chrono::microseconds::rep>(usec));
  }
}

void SystemdNotifier::Send(const std::string& message) {
  if (!enabled_) return;
  Report(sd_notify(/*unset_environment=*/0, message.c_str()));
}

void SystemdNotifier::Report(int r) {
  if (r >= 0) {
    reported_error_.store(0, std::memory_order_relaxed);
    return;
  }
  // E.g. a vsock: address from a newer systemd, or a socket that went away; the service then
  // fails its start or watchdog timeout, which this warning explains.
  if (reported_error_.exchange(-r, std::memory_order_relaxed) != -r) {
    spdlog::warn("sd_notify failed (NOTIFY_SOCKET={}): {}", std::getenv("NOTIFY_SOCKET"),
                 std::strerror(-r));
  }
}

void SystemdNotifier::Ready(std::string_view status) {
  Send("READY=1\nSTATUS=" + std::string(status));
}

void SystemdNotifier::Reloading() {
  if (!enabled_) return;
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  uint64_t usec = static_cast<uint64_t>(ts.tv_sec) * 1000000u + ts.tv_nsec / 1000;
  Report(sd_notifyf(/*unset_environment=*/0,
                    "RELOADING=1\nSTATUS=Reloading configuration\nMONOTONIC_USEC=%" PRIu64, usec));
}

void SystemdNotifier::Stopping() { Send("STOPPING=1\nSTATUS=Shutting down"); }

void SystemdNotifier::Status(std::string_view status) { Send("STATUS=" + std::string(status)); }

void SystemdNotifier::Watchdog() { Send("WATCHDOG=1"); }

}  // namespace tocsin
