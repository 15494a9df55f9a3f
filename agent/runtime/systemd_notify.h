// SystemdNotifier: systemd's service notifications (READY, STATUS, RELOADING, STOPPING,
// WATCHDOG) through libsystemd's sd_notify(3), and the watchdog timeout from
// sd_watchdog_enabled(3).
//
// The environment is read at construction for the watchdog; sd_notify reads $NOTIFY_SOCKET on
// each call. When NOTIFY_SOCKET is unset every call is a cheap no-op, so the daemon behaves the
// same outside systemd. A failed notification is logged with the reason, once per distinct
// error (a watchdog ping that keeps failing does not flood the log). Thread-safe: the watchdog
// value is immutable, the error memo is atomic, sd_notify opens a fresh socket per message.
#pragma once

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace tocsin {

class SystemdNotifier {
 public:
  SystemdNotifier();

  // NOTIFY_SOCKET is set: messages are meant for a service manager.
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
  // Logs a failed sd_notify (r < 0) once per distinct error.
  void Report(int r);
  bool enabled_ = false;
  std::optional<std::chrono::microseconds> watchdog_;
  std::atomic<int> reported_error_{0};
};

}  // namespace tocsin
