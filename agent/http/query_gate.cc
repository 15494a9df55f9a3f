#include "agent/http/query_gate.h"

#include <algorithm>
#include <string>

namespace tocsin {

QueryGate::Ticket::~Ticket() {
  if (gate_ != nullptr) gate_->Leave();
}

QueryGate::QueryGate(Options options) : options_(options) {}

Result<QueryGate::Ticket> QueryGate::Enter(std::chrono::milliseconds requested) {
  std::chrono::milliseconds timeout = options_.timeout;
  if (requested.count() > 0) timeout = std::min(timeout, requested);
  SteadyClock::time_point deadline = SteadyClock::now() + timeout;
  std::unique_lock lock(mu_);
  if (running_ >= options_.max_concurrent) {
    if (waiting_ >= options_.max_waiting) {
      return Unavailable("too many concurrent queries: " + std::to_string(running_) +
                         " running and " + std::to_string(waiting_) +
                         " waiting (web.max_concurrent_queries)");
    }
    ++waiting_;
    bool got =
        freed_.wait_until(lock, deadline, [this] { return running_ < options_.max_concurrent; });
    --waiting_;
    if (!got) return DeadlineExceeded("query timed out in query queue");
  }
  ++running_;
  return Ticket(this, deadline);
}

void QueryGate::Leave() {
  {
    std::lock_guard lock(mu_);
    --running_;
  }
  freed_.notify_one();
}

size_t QueryGate::running() const {
  std::lock_guard lock(mu_);
  return running_;
}

size_t QueryGate::waiting() const {
  std::lock_guard lock(mu_);
  return waiting_;
}

}  // namespace tocsin
