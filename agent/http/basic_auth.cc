#include "agent/http/basic_auth.h"

#include <crypt.h>

#include <memory>
#include <random>

#include "agent/core/base64.h"
#include "agent/http/tls_listener.h"

namespace tocsin {
namespace {

// exporter-toolkit's hash for unknown users (the same cost as typical user hashes).
constexpr char kDummyHash[] = "$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi";
// Go's bcrypt refuses longer passwords; libxcrypt would silently truncate them.
constexpr size_t kMaxPasswordBytes = 72;

std::string RandomSalt() {
  std::random_device rd;
  std::string s(32, '\0');
  for (char& c : s) c = static_cast<char>(rd());
  return s;
}

bool BcryptMatches(const std::string& password, const std::string& hash) {
  auto data = std::make_unique<crypt_data>();  // ~32 KiB: not on a worker thread's stack
  const char* out = crypt_rn(password.c_str(), hash.c_str(), data.get(), sizeof(crypt_data));
  return out != nullptr && out[0] != '*' && ConstantTimeEquals(out, hash);
}

std::string KeyPart(std::string_view s) { return std::to_string(s.size()) + ":" + std::string(s); }

}  // namespace

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  volatile unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff = diff | static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return diff == 0;
}

BasicAuth::BasicAuth(std::map<std::string, std::string> users)
    : users_(std::move(users)), salt_(RandomSalt()) {}

bool BasicAuth::Check(std::string_view authorization) {
  // Go's Request.BasicAuth: the scheme is case-insensitive, the user ends at the first colon.
  constexpr std::string_view kScheme = "basic ";
  if (authorization.size() < kScheme.size()) return false;
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != kScheme[i]) return false;
  }
  std::optional<std::string> decoded = Base64Decode(authorization.substr(kScheme.size()));
  if (!decoded) return false;
  size_t colon = decoded->find(':');
  if (colon == std::string::npos) return false;
  return CheckUser(decoded->substr(0, colon), decoded->substr(colon + 1));
}

bool BasicAuth::CheckUser(const std::string& user, const std::string& password) {
  auto it = users_.find(user);
  const bool known = it != users_.end();
  const std::string& hash = known ? it->second : std::string(kDummyHash);
  const std::string key = Sha256(KeyPart(salt_) + KeyPart(user) + KeyPart(hash) + password);
  {
    std::lock_guard lock(cache_mu_);
    if (known && !key.empty() && verified_.contains(key)) {
      cache_hits_.fetch_add(1);
      return true;
    }
  }
  bool ok;
  {
    std::lock_guard lock(bcrypt_mu_);
    bcrypt_checks_.fetch_add(1);
    ok = BcryptMatches(password, hash) && known && password.size() <= kMaxPasswordBytes;
  }
  if (ok && !key.empty()) {
    std::lock_guard lock(cache_mu_);
    if (verified_.size() >= kMaxCacheEntries) verified_.clear();
    verified_.insert(key);
  }
  return ok;
}

}  // namespace tocsin
