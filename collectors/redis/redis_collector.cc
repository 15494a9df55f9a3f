#include "collectors/redis/redis_collector.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <string>
#include <vector>

#include "agent/core/rate_limiter.h"
#include "collectors/redis/redis_connection.h"
#include "collectors/redis/redis_info.h"

namespace tocsin {
namespace {

using redis::RedisConnection;
using SteadyClock = std::chrono::steady_clock;

class RedisCollector final : public Collector {
 public:
  RedisCollector(const RedisCollectorConfig& config, std::chrono::milliseconds timeout)
      : name_("redis/" + config.name),
        address_(config.address),
        username_(config.username),
        password_(config.password),
        timeout_(timeout) {
    for (const auto& [k, v] : config.labels) base_labels_.push_back(Label{k, v});
  }

  std::string_view name() const override { return name_; }

  Status Collect(const CollectContext& ctx, Appender& out) override {
    const auto deadline = WorkingDeadline(ctx, timeout_);

    std::string reason;
    Result<std::string> info = Status(StatusCode::kUnavailable, "not connected");
    if (EnsureConnected(deadline, reason)) {
      info = conn_->Command({"INFO", "ALL"}, deadline);
      if (!info.ok() && !conn_->healthy() && info.status().code() == StatusCode::kUnavailable) {
        // Broken since the last cycle (restart): one immediate reconnect.
        conn_.reset();
        if (EnsureConnected(deadline, reason)) info = conn_->Command({"INFO", "ALL"}, deadline);
      }
      if (!info.ok() && reason.empty()) reason = "INFO failed: " + info.status().message();
      if (conn_ && !conn_->healthy()) conn_.reset();
    }
    bool up = info.ok();
    Status st;
    if (up) {
      redis::EmitOptions opts;
      opts.base_labels = base_labels_;
      opts.databases = databases_;
      opts.now_seconds =
          std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
              .count();
      st = redis::EmitInfo(redis::ParseInfo(*info), opts, out);
    }
    std::vector<Label> labels = base_labels_;
    labels.push_back(Label{std::string(kMetricNameLabel), "redis_up"});
    Metadata md;
    md.type = MetricType::kGauge;
    md.help = "Information about the Redis instance";
    out.SetMetadata("redis_up", md);
    if (st.ok()) st = out.Add(Labels::FromUnsorted(std::move(labels)), up ? 1 : 0);
    LogState(up, reason);
    return st;
  }

 private:
  bool EnsureConnected(SteadyClock::time_point deadline, std::string& reason) {
    if (conn_ && conn_->healthy()) return true;
    conn_.reset();
    if (SteadyClock::now() < next_attempt_) {
      reason = last_error_;
      return false;
    }
    auto r = RedisConnection::Connect(address_, username_, password_, deadline);
    if (!r.ok()) {
      ++failures_;
      auto backoff = failures_ <= 1
                         ? std::chrono::milliseconds(0)
                         : std::min<std::chrono::milliseconds>(
                               std::chrono::seconds(30),
                               std::chrono::milliseconds(1000L << std::min(failures_ - 2, 5)));
      next_attempt_ = SteadyClock::now() + backoff;
      last_error_ = r.status().message();
      reason = last_error_;
      return false;
    }
    conn_ = std::move(r).value();
    failures_ = 0;
    next_attempt_ = {};
    // Number of databases, to zero-fill redis_db_keys as redis_exporter does. CONFIG may be
    // renamed or denied by ACL: then only the databases INFO lists are exported.
    Result<std::string> dbs = conn_->Command({"CONFIG", "GET", "databases"}, deadline);
    databases_ = 0;
    if (dbs.ok()) {
      size_t nl = dbs->find('\n');
      if (nl != std::string::npos) databases_ = std::atoi(dbs->c_str() + nl + 1);
    } else if (!conn_->healthy()) {
      reason = dbs.status().message();
      conn_.reset();
      return false;
    }
    return true;
  }

  void LogState(bool up, const std::string& reason) {
    if (up) {
      if (!was_up_) spdlog::info("collector {}: connected to {}", name_, address_);
      was_up_ = true;
      last_logged_.clear();
      return;
    }
    uint64_t suppressed = 0;
    if (was_up_ || reason != last_logged_ || limiter_.Allow(name_, suppressed)) {
      spdlog::warn("collector {}: {} is down (redis_up 0): {}", name_, address_, reason);
      last_logged_ = reason;
    }
    was_up_ = false;
  }

  std::string name_, address_, username_, password_;
  std::chrono::milliseconds timeout_;
  std::vector<Label> base_labels_;
  std::unique_ptr<RedisConnection> conn_;
  int databases_ = 0;
  int failures_ = 0;
  SteadyClock::time_point next_attempt_{};
  std::string last_error_, last_logged_;
  bool was_up_ = true;
  RateLimiter limiter_{std::chrono::minutes(1)};
};

}  // namespace

Result<std::unique_ptr<Collector>> MakeRedisCollector(const RedisCollectorConfig& config,
                                                      std::chrono::milliseconds timeout) {
  return std::unique_ptr<Collector>(new RedisCollector(config, timeout));
}

}  // namespace tocsin
