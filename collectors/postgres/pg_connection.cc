#include "collectors/postgres/pg_connection.h"

#include <libpq-fe.h>
#include <poll.h>

#include <cerrno>
#include <cstring>

namespace tocsin::postgres {
namespace {

PGconn* AsConn(void* p) { return static_cast<PGconn*>(p); }

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s;
}

// Parsed DSN as ordered (keyword, value) pairs with the overrides applied.
struct ParsedParams {
  std::vector<std::string> keys;
  std::vector<std::string> values;
};

Result<ParsedParams> Parse(const PgConnectParams& params) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(params.dsn.c_str(), &err);
  if (opts == nullptr) {
    // libpq's parse errors quote the offending fragment, which may be the password: keep only
    // the generic first words.
    std::string msg = err != nullptr ? Trim(err) : "out of memory";
    if (err != nullptr) PQfreemem(err);
    size_t quote = msg.find('"');
    if (quote != std::string::npos) msg = msg.substr(0, quote) + "(value not shown)";
    return InvalidArgument("invalid DSN: " + msg);
  }
  ParsedParams out;
  for (PQconninfoOption* o = opts; o->keyword != nullptr; ++o) {
    if (o->val == nullptr || params.overrides.count(o->keyword) != 0) continue;
    out.keys.emplace_back(o->keyword);
    out.values.emplace_back(o->val);
  }
  PQconninfoFree(opts);
  if (!params.append_options.empty()) {
    bool merged = false;
    for (size_t i = 0; i < out.keys.size(); ++i) {
      if (out.keys[i] != "options") continue;
      out.values[i] += " " + params.append_options;
      merged = true;
    }
    if (!merged) {
      out.keys.emplace_back("options");
      out.values.push_back(params.append_options);
    }
  }
  for (const auto& [k, v] : params.overrides) {
    if (v.empty()) continue;
    out.keys.push_back(k);
    out.values.push_back(v);
  }
  return out;
}

std::string Lookup(const ParsedParams& p, std::string_view key) {
  for (size_t i = 0; i < p.keys.size(); ++i) {
    if (p.keys[i] == key) return p.values[i];
  }
  return "";
}

}  // namespace

int PgRows::Column(std::string_view name) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] == name) return static_cast<int>(i);
  }
  return -1;
}

std::string RedactSecret(std::string text, const std::string& secret) {
  if (secret.empty()) return text;
  size_t pos = 0;
  while ((pos = text.find(secret, pos)) != std::string::npos) {
    text.replace(pos, secret.size(), "<redacted>");
    pos += 10;
  }
  return text;
}

Result<PgTarget> DescribeTarget(const PgConnectParams& params) {
  Result<ParsedParams> p = Parse(params);
  if (!p.ok()) return p.status();
  PgTarget t;
  std::string host = Lookup(*p, "host");
  if (host.empty()) host = Lookup(*p, "hostaddr");
  if (host.empty()) host = "<default socket>";
  std::string port = Lookup(*p, "port");
  t.description = host + (port.empty() ? "" : ":" + port);
  std::string db = Lookup(*p, "dbname");
  if (!db.empty()) t.description += "/" + db;
  std::string user = Lookup(*p, "user");
  if (!user.empty()) t.description += " user=" + user;
  t.password = Lookup(*p, "password");
  t.description = RedactSecret(t.description, t.password);
  return t;
}

PgConnection::PgConnection(void* conn, std::string password)
    : conn_(conn), password_(std::move(password)) {
  server_version_ = PQserverVersion(AsConn(conn_));
}

PgConnection::~PgConnection() {
  if (conn_ != nullptr) PQfinish(AsConn(conn_));
}

bool PgConnection::healthy() const { return !broken_ && PQstatus(AsConn(conn_)) == CONNECTION_OK; }

Result<std::unique_ptr<PgConnection>> PgConnection::Connect(const PgConnectParams& params,
                                                            Deadline deadline) {
  Result<ParsedParams> parsed = Parse(params);
  if (!parsed.ok()) return parsed.status();
  std::vector<const char*> keys, values;
  for (size_t i = 0; i < parsed->keys.size(); ++i) {
    keys.push_back(parsed->keys[i].c_str());
    values.push_back(parsed->values[i].c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  std::string password = Lookup(*parsed, "password");

  PGconn* raw = PQconnectStartParams(keys.data(), values.data(), 0);
  if (raw == nullptr) return Internal("libpq: out of memory");
  // From here the PgConnection owns `raw` (PQfinish in its destructor), failed or not.
  std::unique_ptr<PgConnection> conn(new PgConnection(raw, password));
  if (PQstatus(raw) == CONNECTION_BAD) {
    return Unavailable(RedactSecret(Trim(PQerrorMessage(raw)), password));
  }
  PostgresPollingStatusType st = PGRES_POLLING_WRITING;
  while (st != PGRES_POLLING_OK) {
    if (st == PGRES_POLLING_FAILED) {
      return Unavailable(RedactSecret(Trim(PQerrorMessage(raw)), password));
    }
    Status wait = conn->WaitSocket(st == PGRES_POLLING_WRITING, deadline);
    if (!wait.ok()) return wait.WithContext("connecting");
    st = PQconnectPoll(raw);
  }
  if (PQsetnonblocking(raw, 1) != 0) {
    return Unavailable(RedactSecret(Trim(PQerrorMessage(raw)), password));
  }
  conn->server_version_ = PQserverVersion(raw);
  return conn;
}

Status PgConnection::WaitSocket(bool for_write, Deadline deadline) {
  int fd = PQsocket(AsConn(conn_));
  if (fd < 0) return Unavailable("no socket");
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return DeadlineExceeded("timed out");
    pollfd p{fd, static_cast<short>(for_write ? POLLOUT : POLLIN), 0};
    int n = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 1000)));
    if (n > 0) return Status::Ok();
    if (n < 0 && errno != EINTR) return Unavailable(std::string("poll: ") + std::strerror(errno));
  }
}

void PgConnection::Cancel() {
  PGcancel* c = PQgetCancel(AsConn(conn_));
  if (c == nullptr) return;
  char buf[256];
  PQcancel(c, buf, sizeof buf);  // blocking, but a short local round trip
  PQfreeCancel(c);
}

Result<PgRows> PgConnection::Query(const std::string& sql, Deadline statement_deadline,
                                   Deadline deadline) {
  PGconn* c = AsConn(conn_);
  auto fail = [&](std::string msg) -> Status {
    if (PQstatus(c) == CONNECTION_BAD) broken_ = true;
    msg = RedactSecret(Trim(std::move(msg)), password_);
    return broken_ ? Unavailable(msg) : InvalidArgument(msg);
  };
  statement_deadline = std::min(statement_deadline, deadline);
  if (PQsendQuery(c, sql.c_str()) == 0) return fail(PQerrorMessage(c));
  // Flush the query (non-blocking mode may leave part of it buffered).
  for (;;) {
    int f = PQflush(c);
    if (f == 0) break;
    if (f < 0) return fail(PQerrorMessage(c));
    Status w = WaitSocket(true, statement_deadline);
    if (!w.ok()) {
      broken_ = true;  // half a query on the wire: the connection cannot be reused
      return w;
    }
  }
  // Read until libpq has the whole result.
  bool cancelled = false;
  while (PQisBusy(c) != 0) {
    Status w = WaitSocket(false, cancelled ? deadline : statement_deadline);
    if (!w.ok() && w.code() == StatusCode::kDeadlineExceeded && !cancelled &&
        std::chrono::steady_clock::now() < deadline) {
      // Statement timeout: cancel on the server and wait (until the cycle's deadline) for the
      // cancellation to come back, so the connection can be reused.
      Cancel();
      cancelled = true;
      continue;
    }
    if (!w.ok()) {
      if (!cancelled) Cancel();
      broken_ = true;  // a result is still pending: the connection cannot be reused
      return w.code() == StatusCode::kDeadlineExceeded
                 ? DeadlineExceeded("query cancelled at the collection deadline")
                 : w;
    }
    if (PQconsumeInput(c) == 0) return fail(PQerrorMessage(c));
  }
  PgRows rows;
  Status error;
  bool first = true;
  while (PGresult* res = PQgetResult(c)) {
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_TUPLES_OK && first) {
      int nf = PQnfields(res), nt = PQntuples(res);
      rows.columns.reserve(nf);
      for (int i = 0; i < nf; ++i) rows.columns.emplace_back(PQfname(res, i));
      rows.rows.resize(nt);
      for (int r = 0; r < nt; ++r) {
        auto& row = rows.rows[r];
        row.reserve(nf);
        for (int i = 0; i < nf; ++i) {
          if (PQgetisnull(res, r, i)) {
            row.emplace_back(std::nullopt);
          } else {
            row.emplace_back(std::string(PQgetvalue(res, r, i), PQgetlength(res, r, i)));
          }
        }
      }
      first = false;
    } else if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && error.ok()) {
      error = fail(PQresultErrorMessage(res));
    }
    PQclear(res);
    // Further results arrive without blocking once PQisBusy was false; keep draining.
    while (PQisBusy(c) != 0) {
      Status w = WaitSocket(false, deadline);
      if (!w.ok()) {
        broken_ = true;
        return w;
      }
      if (PQconsumeInput(c) == 0) return fail(PQerrorMessage(c));
    }
  }
  if (cancelled) return DeadlineExceeded("statement timeout: query cancelled");
  if (!error.ok()) return error;
  return rows;
}

}  // namespace tocsin::postgres
