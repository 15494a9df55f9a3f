#include "agent/runtime/systemd_notify.h"

#include <spdlog/spdlog.h>
#include <time.h>
#include <unistd.h>

#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>

namespace tocsin {
namespace {

// A whole decimal string, nothing around it: a malformed variable must not be half-trusted.
template <typename T>
std::optional<T> ParseDecimal(const char* text) {
  if (text == nullptr) return std::nullopt;
  const char* end = text + std::strlen(text);
  T value{};
  auto [ptr, ec] = std::from_chars(text, end, value);
  if (ec != std::errc() || ptr != end || ptr == text) return std::nullopt;
  return value;
}

// Same rules as sd_watchdog_enabled(): WATCHDOG_USEC > 0, and WATCHDOG_PID (when set) must name
// us, because a child started with our environment must not take over our pings.
std::optional<std::chrono::microseconds> WatchdogFromEnvironment() {
  const char* usec_text = std::getenv("WATCHDOG_USEC");
  if (usec_text == nullptr) return std::nullopt;
  auto usec = ParseDecimal<uint64_t>(usec_text);
  if (!usec || *usec == 0 ||
      *usec > static_cast<uint64_t>(std::numeric_limits<std::chrono::microseconds::rep>::max())) {
    spdlog::warn("ignoring invalid WATCHDOG_USEC=\"{}\"", usec_text);
    return std::nullopt;
  }
  if (const char* pid_text = std::getenv("WATCHDOG_PID"); pid_text != nullptr) {
    auto pid = ParseDecimal<pid_t>(pid_text);
    if (!pid || *pid != getpid()) return std::nullopt;
  }
  return std::chrono::microseconds(static_cast<std::chrono::microseconds::rep>(*usec));
}

}  // namespace

SystemdNotifier::SystemdNotifier() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  if (socket != nullptr && *socket != '\0') {
    auto address = ParseUnixAddress(socket);
    if (address.ok()) {
      socket_ = *address;
      enabled_ = true;
    } else {
      // E.g. a vsock: address from a newer systemd; the service then fails its start timeout,
      // which this warning explains.
      spdlog::warn("NOTIFY_SOCKET not usable, not notifying systemd: {}",
                   address.status().message());
    }
  }
  watchdog_ = WatchdogFromEnvironment();
}

void SystemdNotifier::Send(const std::string& message) {
  if (!enabled_) return;
  // `auto`: inside the class, Status names the member function, not tocsin::Status.
  if (auto st = SendDatagram(socket_, message); !st.ok()) {
    spdlog::warn("sd_notify failed: {}", st.message());
  }
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
