// QueryGate: bounds the PromQL queries the HTTP API runs at once (web.max_concurrent_queries)
// and how long each may take (web.query_timeout, its wait for a slot included, as Prometheus's
// query queue counts it). At most `max_concurrent` queries run and at most `max_waiting` more
// wait for a slot; beyond that Enter fails at once, so queries can never hold every HTTP worker
// thread and /metrics and the health endpoints always find one (the server is sized with
// ThreadsNeeded()).
//
// Thread-safe. Deadlines are on the steady clock, so stepping the wall clock changes nothing.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>

#include "agent/core/status.h"

namespace tocsin {

class QueryGate {
 public:
  using SteadyClock = std::chrono::steady_clock;
  struct Options {
    size_t max_concurrent = 20;
    size_t max_waiting = 20;
    std::chrono::milliseconds timeout{std::chrono::minutes(2)};
  };
  // HTTP threads kept free of queries, for /metrics, health, reload and the other endpoints.
  static constexpr size_t kReservedThreads = 8;

  // A running query's slot; released when destroyed. Movable, not copyable.
  class Ticket {
   public:
    Ticket(Ticket&& other) noexcept : gate_(other.gate_), deadline_(other.deadline_) {
      other.gate_ = nullptr;
    }
    Ticket& operator=(Ticket&&) = delete;
    Ticket(const Ticket&) = delete;
    ~Ticket();
    SteadyClock::time_point deadline() const { return deadline_; }
    bool Expired() const { return SteadyClock::now() >= deadline_; }

   private:
    friend class QueryGate;
    Ticket(QueryGate* gate, SteadyClock::time_point deadline) : gate_(gate), deadline_(deadline) {}
    QueryGate* gate_;
    SteadyClock::time_point deadline_;
  };

  explicit QueryGate(Options options);

  // Waits for a slot. `requested` (the API's `timeout` parameter; 0 = none) can only shorten
  // the configured timeout. DeadlineExceeded "query timed out in query queue" when no slot
  // freed in time; Unavailable when max_waiting queries already wait.
  Result<Ticket> Enter(std::chrono::milliseconds requested = std::chrono::milliseconds(0));

  size_t running() const;
  size_t waiting() const;
  const Options& options() const { return options_; }
  // civetweb worker threads for this gate: every running and waiting query plus the reserve.
  size_t ThreadsNeeded() const {
    return options_.max_concurrent + options_.max_waiting + kReservedThreads;
  }

 private:
  void Leave();

  const Options options_;
  mutable std::mutex mu_;
  std::condition_variable freed_;
  size_t running_ = 0;
  size_t waiting_ = 0;
};

}  // namespace tocsin
