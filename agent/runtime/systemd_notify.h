// SystemdNotifier: the sd_notify protocol (READY, STATUS, RELOADING, STOPPING, WATCHDOG).
//
// The only user of libsystemd for notification. When NOTIFY_SOCKET is unset every call is a
// cheap no-op, so the daemon behaves the same outside systemd. Thread-safe (sd_notify opens a
// fresh datagram per call).
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace tocsin {

class SystemdNotifier {
 public:
  SystemdNotifier();

  bool enabled() const { return enabled_; }
  void Ready(std::string_view status);
  // RELOADING=1 with MONOTONIC_USEC (systemd ≥ 253 uses it to match the READY=1 that follows).
  void Reloading();
  void Stopping();
  void Status(std::string_view status);
  void Watchdog();
  // The watchdog timeout systemd expects pings within (WATCHDOG_USEC for this PID), if any.
  std::optional<std::chrono::microseconds> WatchdogTimeout() const { return watchdog_; }

 private:
  void Send(const std::string& message);
  bool enabled_ = false;
  std::optional<std::chrono::microseconds> watchdog_;
};

}  // namespace tocsin
