// SystemdNotifier: the sd_notify protocol (READY, STATUS, RELOADING, STOPPING, WATCHDOG).
//
// Speaks the protocol itself (no libsystemd): each message is one datagram to the AF_UNIX socket
// named by $NOTIFY_SOCKET (a path, or @name for the abstract namespace). The environment is read
// once, at construction. When NOTIFY_SOCKET is unset every call is a cheap no-op, so the daemon
// behaves the same outside systemd. Thread-safe: members are immutable after construction and
// every message goes out on a fresh socket.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "agent/runtime/unix_socket.h"

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
  UnixAddress socket_;
  std::optional<std::chrono::microseconds> watchdog_;
};

}  // namespace tocsin
