// SHA-256 (FIPS 180-4), for Alertmanager-compatible group-key hashes (PagerDuty dedup_key).
// Pure function; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace tocsin {

// Lower-case hex digest (64 characters).
std::string Sha256Hex(std::string_view data);

}  // namespace tocsin
