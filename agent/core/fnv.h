// FNV-1a (64-bit): a tiny, stable hash for names whose hash must not change between runs or
// builds (file names of persisted state, evaluation phase offsets). Not for hash tables fed by
// untrusted input. Pure, thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

namespace tocsin {

inline uint64_t Fnv1a64(std::string_view s) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace tocsin
