#include "collectors/postgres/postgres_collector.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "agent/core/rate_limiter.h"
#include "collectors/postgres/pg_connection.h"
#include "collectors/postgres/pg_metrics.h"
#include "collectors/postgres/pg_queries.h"

namespace tocsin {
namespace {

using postgres::Emitter;
using postgres::PgConnection;
using SteadyClock = std::chrono::steady_clock;

constexpr auto kMaxBackoff = std::chrono::seconds(30);

class PostgresCollector final : public Collector {
 public:
  PostgresCollector(const PostgresCollectorConfig& config, std::chrono::milliseconds timeout,
                    std::chrono::milliseconds statement_timeout, postgres::PgConnectParams params,
                    postgres::PgTarget target)
      : name_("postgres/" + config.name),
        timeout_(timeout),
        statement_timeout_(statement_timeout),
        stat_statements_limit_(config.stat_statements_limit),
        params_(std::move(params)),
        target_(std::move(target)) {
    for (const auto& [k, v] : config.labels) base_labels_.push_back(Label{k, v});
  }

  std::string_view name() const override { return name_; }

  Status Collect(const CollectContext& ctx, Appender& out) override {
    const auto deadline = WorkingDeadline(ctx, timeout_);

    Emitter em(out, base_labels_);
    std::string reason;
    bool up = EnsureConnected(deadline, reason);
    std::optional<postgres::PgRows> probe;
    if (up) {
      Result<postgres::PgRows> r = conn_->Query(postgres::ProbeSql(), deadline);
      if (!r.ok() && r.status().code() == StatusCode::kUnavailable) {
        // The connection broke since the last cycle (typically a server restart): reconnect
        // once right away rather than report a whole interval of pg_up 0.
        conn_.reset();
        up = EnsureConnected(deadline, reason);
        if (up) r = conn_->Query(postgres::ProbeSql(), deadline);
      }
      if (up && !r.ok()) {
        up = false;
        reason = "probe query failed: " + r.status().message();
        if (!conn_->healthy()) conn_.reset();
      } else if (up) {
        probe = std::move(r).value();
      }
    }
    bool scrape_error = false;
    if (up && probe) scrape_error = !CollectServer(*probe, deadline, em);

    em.Family("pg_up", MetricType::kGauge, "Whether the last scrape of the server succeeded.");
    em.Add("pg_up", {}, up ? 1 : 0);
    em.Family("pg_exporter_last_scrape_error", MetricType::kGauge,
              "Whether the last scrape of metrics from PostgreSQL resulted in an error (1 for "
              "error, 0 for success).");
    em.Add("pg_exporter_last_scrape_error", {}, up && !scrape_error ? 0 : 1);
    LogState(up, reason);
    return em.status();
  }

 private:
  // Connects when there is no healthy connection and the backoff allows; false with `reason`.
  bool EnsureConnected(SteadyClock::time_point deadline, std::string& reason) {
    if (conn_ && conn_->healthy()) return true;
    conn_.reset();
    auto now = SteadyClock::now();
    if (now < next_attempt_) {
      reason = last_error_;  // still backing off: the last attempt's reason stands
      return false;
    }
    auto r = PgConnection::Connect(params_, deadline);
    if (!r.ok()) {
      ++failures_;
      auto backoff =
          failures_ <= 1
              ? std::chrono::milliseconds(0)
              : std::min<std::chrono::milliseconds>(
                    kMaxBackoff, std::chrono::milliseconds(1000L << std::min(failures_ - 2, 5)));
      next_attempt_ = SteadyClock::now() + backoff;
      last_error_ = "cannot connect: " + r.status().message();
      reason = last_error_;
      return false;
    }
    conn_ = std::move(r).value();
    failures_ = 0;
    next_attempt_ = {};
    int v = conn_->server_version();
    if (v < 130000 && !warned_version_) {
      warned_version_ = true;
      spdlog::warn(
          "collector {}: PostgreSQL {} is older than 13, the oldest version tocsin "
          "supports; some series may be missing",
          name_, postgres::ShortVersion(v));
    }
    return true;
  }

  // Runs every query; returns false when any failed.
  bool CollectServer(const postgres::PgRows& probe, SteadyClock::time_point deadline, Emitter& em) {
    if (probe.rows.size() != 1) return false;
    auto cell = [&](const char* col) -> std::string {
      int i = probe.Column(col);
      return i >= 0 && probe.rows[0][i] ? *probe.rows[0][i] : "";
    };
    postgres::ServerFeatures server;
    server.version_num = std::atoi(cell("version_num").c_str());
    server.has_stat_statements = cell("has_stat_statements") == "t";
    em.Family("pg_static", MetricType::kGauge, "Version string as reported by postgres.");
    em.Add("pg_static",
           {{"version", cell("version")},
            {"short_version", postgres::ShortVersion(server.version_num)}},
           1);
    if (auto start = postgres::ParseValue(cell("start_time"))) {
      em.Family("pg_postmaster_start_time_seconds", MetricType::kGauge,
                "Time at which postmaster started.");
      em.Add("pg_postmaster_start_time_seconds", {}, *start);
    }

    postgres::QueryOptions options;
    options.stat_statements_limit = stat_statements_limit_;
    bool all_ok = true;
    std::vector<std::pair<std::string, std::pair<bool, double>>> outcomes;
    for (const postgres::QuerySpec& q : postgres::SelectQueries(server, options)) {
      auto start = SteadyClock::now();
      Status st;
      if (!conn_ || !conn_->healthy()) {
        st = Unavailable("connection lost");
      } else if (start >= deadline) {
        st = DeadlineExceeded("collection deadline reached before this query");
      } else {
        Result<postgres::PgRows> rows = conn_->Query(q.sql, start + statement_timeout_, deadline);
        if (!rows.ok()) {
          st = rows.status();
        } else {
          size_t skipped = 0;
          st = q.kind == postgres::QuerySpec::Kind::kSettings
                   ? postgres::ConvertSettings(*rows, em, &skipped)
                   : postgres::ConvertRows(q, *rows, em, &skipped);
        }
      }
      double secs = std::chrono::duration<double>(SteadyClock::now() - start).count();
      if (!st.ok()) {
        all_ok = false;
        uint64_t suppressed = 0;
        if (log_limiter_.Allow(name_ + "/" + q.collector, suppressed)) {
          spdlog::warn(
              "collector {}: {} query failed: {}{}", name_, q.collector, st.message(),
              suppressed ? " (" + std::to_string(suppressed) + " similar suppressed)" : "");
        }
      }
      outcomes.push_back({q.collector, {st.ok(), secs}});
    }
    if (!em.status().ok()) return false;
    em.Family("pg_scrape_collector_success", MetricType::kGauge,
              "postgres_exporter: Whether a collector succeeded.");
    em.Family("pg_scrape_collector_duration_seconds", MetricType::kGauge,
              "postgres_exporter: Duration of a collector scrape.");
    for (const auto& [collector, o] : outcomes) {
      em.Add("pg_scrape_collector_success", {{"collector", collector}}, o.first ? 1 : 0);
      em.Add("pg_scrape_collector_duration_seconds", {{"collector", collector}}, o.second);
    }
    if (!conn_ || !conn_->healthy()) conn_.reset();
    return all_ok;
  }

  void LogState(bool up, const std::string& reason) {
    if (up) {
      if (!was_up_) spdlog::info("collector {}: connected to {}", name_, target_.description);
      was_up_ = true;
      last_logged_reason_.clear();
      return;
    }
    std::string msg = postgres::RedactSecret(reason, target_.password);
    uint64_t suppressed = 0;
    if (was_up_ || msg != last_logged_reason_ || down_limiter_.Allow(name_, suppressed)) {
      spdlog::warn("collector {}: {} is down (pg_up 0): {}", name_, target_.description, msg);
      last_logged_reason_ = msg;
    }
    was_up_ = false;
  }

  std::string name_;
  std::chrono::milliseconds timeout_;
  std::chrono::milliseconds statement_timeout_;
  size_t stat_statements_limit_;
  postgres::PgConnectParams params_;
  postgres::PgTarget target_;
  std::vector<Label> base_labels_;

  std::unique_ptr<PgConnection> conn_;
  int failures_ = 0;
  SteadyClock::time_point next_attempt_{};
  std::string last_error_;
  bool was_up_ = true;  // so that a first failure is logged
  bool warned_version_ = false;
  std::string last_logged_reason_;
  RateLimiter log_limiter_{std::chrono::minutes(1)};
  RateLimiter down_limiter_{std::chrono::minutes(1)};
};

int CeilSeconds(std::chrono::milliseconds ms) {
  return static_cast<int>((ms.count() + 999) / 1000);
}

}  // namespace

Result<std::unique_ptr<Collector>> MakePostgresCollector(const PostgresCollectorConfig& config,
                                                         std::chrono::milliseconds timeout) {
  postgres::PgConnectParams params;
  params.dsn = config.dsn_secret.empty() ? config.dsn : config.dsn_secret;
  auto connect_timeout =
      config.connect_timeout.count() > 0
          ? config.connect_timeout
          : std::min<std::chrono::milliseconds>(timeout, std::chrono::seconds(10));
  auto statement_timeout =
      config.statement_timeout.count() > 0 ? config.statement_timeout : timeout;
  // libpq's connect_timeout is whole seconds and at least 2; the deadline bounds it anyway.
  params.overrides["connect_timeout"] = std::to_string(std::max(2, CeilSeconds(connect_timeout)));
  params.overrides["fallback_application_name"] = "tocsin";
  if (!config.sslmode.empty()) params.overrides["sslmode"] = config.sslmode;
  if (!config.sslrootcert.empty()) params.overrides["sslrootcert"] = config.sslrootcert;
  if (!config.sslcert.empty()) params.overrides["sslcert"] = config.sslcert;
  if (!config.sslkey.empty()) params.overrides["sslkey"] = config.sslkey;
  // The statement timeout is enforced by the collector (cancel on the server), not with the
  // statement_timeout setting: the session's settings must stay the server's, since
  // pg_settings_* reports them.
  Result<postgres::PgTarget> target = postgres::DescribeTarget(params);
  if (!target.ok()) return target.status().WithContext("collectors.postgres " + config.name);
  return std::unique_ptr<Collector>(new PostgresCollector(
      config, timeout, statement_timeout, std::move(params), std::move(target).value()));
}

}  // namespace tocsin
