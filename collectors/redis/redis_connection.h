// RedisConnection: the hiredis adapter (the only code in tocsin that includes hiredis.h; the
// library is linked, so the package's Depends brings it). Blocking hiredis calls bounded by socket
// timeouts recomputed from an absolute deadline before each call (connect and every command), so a
// hung server never holds a collector past its deadline. Debian 12's hiredis (0.14) has no TLS:
// plain TCP or a unix socket.
//
// Error messages are hiredis's or Redis's, with the password scrubbed. Not thread-safe; one
// owner.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "agent/core/status.h"

namespace tocsin::redis {

class RedisConnection {
 public:
  using Deadline = std::chrono::steady_clock::time_point;

  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // `address` is "host:port" or "unix:/path". With a password, AUTH [username] password is
  // sent; a refused AUTH is an Unavailable error naming Redis's reason (never the password).
  static Result<std::unique_ptr<RedisConnection>> Connect(const std::string& address,
                                                          const std::string& username,
                                                          const std::string& password,
                                                          Deadline deadline);

  // Runs a command given as separate arguments; returns a bulk/status reply's text, an
  // integer's decimal text, or the array's elements joined with '\n' (for CONFIG GET).
  // Unavailable (connection broken, timed out) or InvalidArgument (Redis error reply).
  Result<std::string> Command(const std::vector<std::string>& args, Deadline deadline);

  bool healthy() const { return !broken_; }

 private:
  RedisConnection(void* ctx, std::string password) : ctx_(ctx), password_(std::move(password)) {}
  Status SetTimeout(Deadline deadline);

  void* ctx_;  // redisContext*
  std::string password_;
  bool broken_ = false;
};

}  // namespace tocsin::redis
