// FNV-1a (64-bit): a tiny, stable hash for names whose hash must not change between runs or
// builds (file names of persisted state, evaluation phase offsets, Alertmanager's label-set
// fingerprint). Not for hash tables fed by untrusted input. Pure, thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

namespace tocsin {

inline constexpr uint64_t kFnv1a64Offset = 14695981039346656037ull;
inline constexpr uint64_t kFnv1a64Prime = 1099511628211ull;

// Folds `s` into a running hash `h` (start from kFnv1a64Offset), as Go's prometheus/common
// hashAdd does, so label-set fingerprints can be built piece by piece.
inline uint64_t Fnv1a64Add(uint64_t h, std::string_view s) {
  for (unsigned char c : s) {
    h ^= c;
    h *= kFnv1a64Prime;
  }
  return h;
}

inline uint64_t Fnv1a64AddByte(uint64_t h, unsigned char b) { return (h ^ b) * kFnv1a64Prime; }

inline uint64_t Fnv1a64(std::string_view s) { return Fnv1a64Add(kFnv1a64Offset, s); }

}  // namespace tocsin
