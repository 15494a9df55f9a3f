// StatsdReceiver: the StatsD listener thread. Owns a UDP socket (and optionally a unixgram
// socket), reads datagrams in batches with recvmmsg(2) and hands each batch to a sink (the
// aggregator). Created = started; destroyed = stopped and joined (an eventfd wakes the thread),
// so a collector that owns it shuts it down cleanly on reload and stop.
//
// A socket that cannot be bound (address in use, e.g. while the previous configuration's
// receiver still holds it during a reload) is retried every 100 ms by the thread and logged
// with a rate limit; `listening()` tells whether every configured socket is bound.
//
// Thread-safety: the public methods are thread-safe; the sink runs on the receiver thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <thread>

#include "agent/core/status.h"

namespace tocsin {

struct StatsdReceiverOptions {
  std::string udp_address;       // host:port; empty = none; port 0 = any free port
  std::string unix_path;         // unixgram socket path; empty = none
  size_t read_buffer = 8 << 20;  // SO_RCVBUF(FORCE) asked for
  size_t batch = 64;             // datagrams per recvmmsg
};

struct StatsdReceiverStats {
  uint64_t datagrams = 0;
  uint64_t bytes = 0;
  uint64_t truncated = 0;  // larger than 64 KiB (cannot happen for UDP) - counted, then parsed
  uint64_t receive_errors = 0;
  bool listening = false;
};

class StatsdReceiver {
 public:
  using Sink = std::function<void(std::span<const std::string_view> datagrams)>;

  // Fails only for invalid options (unparsable address, eventfd failure); bind problems are
  // retried in the background.
  static Result<std::unique_ptr<StatsdReceiver>> Start(StatsdReceiverOptions options, Sink sink);
  ~StatsdReceiver();
  StatsdReceiver(const StatsdReceiver&) = delete;
  StatsdReceiver& operator=(const StatsdReceiver&) = delete;

  // The bound UDP port (0 until bound). Waits up to `wait` for the bind.
  uint16_t WaitUdpPort(std::chrono::milliseconds wait) const;
  StatsdReceiverStats Stats() const;

 private:
  StatsdReceiver(StatsdReceiverOptions options, Sink sink);
  void Run();
  bool TryBind();  // binds whatever is not bound yet; true when all are

  StatsdReceiverOptions options_;
  Sink sink_;
  int udp_fd_ = -1;
  int unix_fd_ = -1;
  int wake_fd_ = -1;
  std::atomic<uint16_t> udp_port_{0};
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> datagrams_{0}, bytes_{0}, truncated_{0}, receive_errors_{0};
  std::atomic<bool> listening_{false};
  std::thread thread_;
};

}  // namespace tocsin
