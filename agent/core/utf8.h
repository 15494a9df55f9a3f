// UTF-8 validity as Go's unicode/utf8 defines it (no overlong forms, no surrogates, nothing
// above U+10FFFF), which is what Prometheus 3 checks label values against.
//   ValidUtf8:       true when every byte belongs to a valid encoding.
//   DecodeUtf8:      one rune at `pos`; an invalid byte decodes as U+FFFD of width 1, exactly
//                    as Go's utf8.DecodeRuneInString, so callers replace byte by byte.
//   SanitizeUtf8:    every invalid byte replaced by U+FFFD (strings from databases, textfiles
//                    and templates, which are kept rather than refused).
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tocsin {

inline constexpr char32_t kRuneError = 0xFFFD;

struct DecodedRune {
  char32_t rune;
  size_t width;  // bytes consumed; 1 for an invalid byte
  bool valid;
};

DecodedRune DecodeUtf8(std::string_view s, size_t pos);
bool ValidUtf8(std::string_view s);
std::string SanitizeUtf8(std::string_view s);
// Sanitises in place; returns true when something was replaced.
bool SanitizeUtf8InPlace(std::string& s);
void AppendUtf8(std::string& out, char32_t rune);

}  // namespace tocsin
