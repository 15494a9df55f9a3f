#include "agent/runtime/systemd_notify.h"

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include <cstdlib>
#include <string>

namespace tocsin {

SystemdNotifier::SystemdNotifier() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  enabled_ = socket != nullptr && *socket != '\0';
  uint64_t usec = 0;
  // unset_environment=0: children we might spawn never matter here, and tests read the env.
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
    watchdog_ = std::chrono::microseconds(usec);
  }
}

void SystemdNotifier::Send(const std::string& message) {
  if (!enabled_) return;
  int rc = sd_notify(0, message.c_str());
  if (rc < 0) spdlog::warn("sd_notify failed: {}", rc);
}

void SystemdNotifier::Ready(std::string_view status) {
  Send("READY=1\nSTATUS=" + std::string(status));
}

void SystemdNotifier::Reloading() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  uint64_t usec = static_cast<uint64_t>(ts.tv_sec) * 1000000u + ts.tv_nsec / 1000;
  Send("RELOADING=1\nSTATUS=Reloading configuration\nMONOTONIC_USEC=" + std::to_string(usec));
}

void SystemdNotifier::Stopping() { Send("STOPPING=1\nSTATUS=Shutting down"); }

void SystemdNotifier::Status(std::string_view status) { Send("STATUS=" + std::string(status)); }

void SystemdNotifier::Watchdog() { Send("WATCHDOG=1"); }

}  // namespace tocsin
