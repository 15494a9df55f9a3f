// PgConnection: the libpq adapter (the only code in tocsin that includes libpq-fe.h). One
// connection, opened and queried with libpq's non-blocking API so that every call honours an
// absolute deadline (a hung server or a dead network never blocks past it); a query still
// running at the deadline is cancelled on the server.
//
// Results come back as PgRows (text values, NULL as nullopt); libpq types never leave this
// file. Error messages are libpq's, with the password scrubbed (see RedactSecret), and never
// contain the DSN. Not thread-safe: one owner (the postgres collector) uses it at a time.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/core/status.h"

namespace tocsin::postgres {

// A query's result: column names and rows of text values (NULL = nullopt).
struct PgRows {
  std::vector<std::string> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;
  // Index of a column by name, or -1.
  int Column(std::string_view name) const;
};

// What to connect to: the DSN (key=value or URI) plus keys that override it.
struct PgConnectParams {
  std::string dsn;
  std::map<std::string, std::string> overrides;  // e.g. sslmode, connect_timeout
  std::string append_options;                    // appended to the DSN's `options`
};

// Where a connection points, for log lines: "host:port/dbname user=x" (never the password).
struct PgTarget {
  std::string description;
  std::string password;  // to scrub from messages; empty when none
};

// Parses the DSN (libpq's PQconninfoParse) and merges the overrides. The error names the
// problem without quoting the DSN.
Result<PgTarget> DescribeTarget(const PgConnectParams& params);

// Replaces every occurrence of `secret` in `text` with "<redacted>" (no-op for empty secret).
std::string RedactSecret(std::string text, const std::string& secret);

class PgConnection {
 public:
  using Deadline = std::chrono::steady_clock::time_point;

  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Connects, giving up at `deadline`. Unavailable for refused/auth/TLS errors (the message is
  // libpq's, password scrubbed), DeadlineExceeded when the deadline passed.
  static Result<std::unique_ptr<PgConnection>> Connect(const PgConnectParams& params,
                                                       Deadline deadline);

  // Runs one statement. At `statement_deadline` (the statement timeout, enforced here rather
  // than with the server's statement_timeout so that the session's settings stay the
  // server's) the query is cancelled on the server and DeadlineExceeded returned; the
  // connection stays usable when the cancellation is acknowledged before `deadline`, else it
  // is marked broken. InvalidArgument for SQL errors (the connection stays usable),
  // Unavailable when the connection broke.
  Result<PgRows> Query(const std::string& sql, Deadline statement_deadline, Deadline deadline);
  Result<PgRows> Query(const std::string& sql, Deadline deadline) {
    return Query(sql, deadline, deadline);
  }

  // False once the connection broke (server restart, network); then reconnect.
  bool healthy() const;
  int server_version() const { return server_version_; }  // e.g. 150018

 private:
  PgConnection(void* conn, std::string password);
  Status WaitSocket(bool for_write, Deadline deadline);
  void Cancel();

  void* conn_;  // PGconn*
  std::string password_;
  int server_version_ = 0;
  bool broken_ = false;
};

}  // namespace tocsin::postgres
