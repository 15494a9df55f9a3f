#include "collectors/redis/redis_connection.h"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <algorithm>

#include "agent/core/host_port.h"

namespace tocsin::redis {
namespace {

redisContext* AsCtx(void* p) { return static_cast<redisContext*>(p); }

std::string Redact(std::string text, const std::string& secret) {
  if (secret.empty()) return text;
  for (size_t pos = 0; (pos = text.find(secret, pos)) != std::string::npos; pos += 10) {
    text.replace(pos, secret.size(), "<redacted>");
  }
  return text;
}

timeval Remaining(std::chrono::steady_clock::time_point deadline, bool* expired) {
  auto left = std::chrono::duration_cast<std::chrono::microseconds>(
      deadline - std::chrono::steady_clock::now());
  *expired = left.count() <= 0;
  // A zero timeval means "no timeout" to the kernel: never pass it.
  left = std::max<std::chrono::microseconds>(left, std::chrono::microseconds(1000));
  timeval tv;
  tv.tv_sec = static_cast<time_t>(left.count() / 1000000);
  tv.tv_usec = static_cast<suseconds_t>(left.count() % 1000000);
  return tv;
}

}  // namespace

RedisConnection::~RedisConnection() {
  if (ctx_ != nullptr) redisFree(AsCtx(ctx_));
}

Result<std::unique_ptr<RedisConnection>> RedisConnection::Connect(const std::string& address,
                                                                  const std::string& username,
                                                                  const std::string& password,
                                                                  Deadline deadline) {
  bool expired = false;
  timeval tv = Remaining(deadline, &expired);
  if (expired) return DeadlineExceeded("no time left to connect");
  redisContext* c = nullptr;
  if (address.starts_with("unix:")) {
    c = redisConnectUnixWithTimeout(address.substr(5).c_str(), tv);
  } else {
    Result<HostPort> hp = ParseHostPort(address);
    if (!hp.ok()) return hp.status();
    c = redisConnectWithTimeout(hp->host.c_str(), hp->port, tv);
  }
  if (c == nullptr) return Internal("hiredis: out of memory");
  std::unique_ptr<RedisConnection> conn(new RedisConnection(c, password));
  if (c->err != 0) return Unavailable(std::string("cannot connect: ") + c->errstr);
  if (!password.empty()) {
    std::vector<std::string> auth = {"AUTH"};
    if (!username.empty()) auth.push_back(username);
    auth.push_back(password);
    Result<std::string> r = conn->Command(auth, deadline);
    if (!r.ok() && r.status().code() == StatusCode::kInvalidArgument) {
      return Unavailable("authentication failed: " + Redact(r.status().message(), password));
    }
    if (!r.ok()) return r.status().WithContext("AUTH");
  }
  return conn;
}

Status RedisConnection::SetTimeout(Deadline deadline) {
  bool expired = false;
  timeval tv = Remaining(deadline, &expired);
  if (expired) return DeadlineExceeded("timed out");
  if (redisSetTimeout(AsCtx(ctx_), tv) != REDIS_OK) {
    broken_ = true;
    return Unavailable("cannot set socket timeout");
  }
  return Status::Ok();
}

Result<std::string> RedisConnection::Command(const std::vector<std::string>& args,
                                             Deadline deadline) {
  if (broken_) return Unavailable("connection is broken");
  if (Status st = SetTimeout(deadline); !st.ok()) return st;
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (const std::string& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  redisContext* c = AsCtx(ctx_);
  auto* reply = static_cast<redisReply*>(
      redisCommandArgv(c, static_cast<int>(args.size()), argv.data(), lens.data()));
  if (reply == nullptr) {
    broken_ = true;  // hiredis contexts cannot be used after an I/O error
    std::string err = c->errstr;
    if (c->err == REDIS_ERR_IO &&
        (err.find("Resource temporarily unavailable") != std::string::npos ||
         err.find("timed out") != std::string::npos)) {
      return DeadlineExceeded("timed out waiting for Redis");
    }
    return Unavailable(Redact(err.empty() ? "connection lost" : err, password_));
  }
  Result<std::string> out = std::string();
  switch (reply->type) {
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
      out = std::string(reply->str, reply->len);
      break;
    case REDIS_REPLY_INTEGER:
      out = std::to_string(reply->integer);
      break;
    case REDIS_REPLY_ERROR:
      out = InvalidArgument(Redact(std::string(reply->str, reply->len), password_));
      break;
    case REDIS_REPLY_ARRAY: {
      std::string joined;
      for (size_t i = 0; i < reply->elements; ++i) {
        const redisReply* e = reply->element[i];
        if (i > 0) joined += '\n';
        if (e->type == REDIS_REPLY_STRING || e->type == REDIS_REPLY_STATUS) {
          joined.append(e->str, e->len);
        } else if (e->type == REDIS_REPLY_INTEGER) {
          joined += std::to_string(e->integer);
        }
      }
      out = std::move(joined);
      break;
    }
    default:
      break;  // nil: empty string
  }
  freeReplyObject(reply);
  return out;
}

}  // namespace tocsin::redis
