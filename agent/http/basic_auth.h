// BasicAuth: HTTP Basic authentication against exporter-toolkit's basic_auth_users (bcrypt
// hashes), verified with libcrypt (libxcrypt's crypt_rn: $2a$, $2b$, $2y$).
//
// A bcrypt check costs what the hash's cost says (~50 ms at cost 10), so successful checks are
// remembered: the cache holds SHA-256 digests of (a per-process random salt, user, hash,
// password), never a password, and only for checks that succeeded (a wrong password always
// costs a full bcrypt). Unknown users are checked against a dummy hash so that the answer time
// does not tell which users exist. Comparisons are constant-time. bcrypt checks run one at a
// time (as exporter-toolkit's), so a flood of wrong passwords holds at most one core.
// Thread-safe; immutable users, internally synchronised cache.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>

namespace tocsin {

class BasicAuth {
 public:
  static constexpr size_t kMaxCacheEntries = 1024;  // beyond it the cache starts over

  explicit BasicAuth(std::map<std::string, std::string> users);

  bool enabled() const { return !users_.empty(); }
  // True when `authorization` ("Basic base64(user:password)") names a user and its password.
  bool Check(std::string_view authorization);
  // True when `password` is `user`'s (the same check without the header parsing).
  bool CheckUser(const std::string& user, const std::string& password);

  uint64_t bcrypt_checks() const { return bcrypt_checks_.load(); }
  uint64_t cache_hits() const { return cache_hits_.load(); }

 private:
  std::map<std::string, std::string> users_;
  std::string salt_;
  std::mutex cache_mu_;
  std::unordered_set<std::string> verified_;  // digests of successful checks
  std::mutex bcrypt_mu_;
  std::atomic<uint64_t> bcrypt_checks_{0};
  std::atomic<uint64_t> cache_hits_{0};
};

// Constant-time equality (the time depends on the lengths only).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace tocsin
