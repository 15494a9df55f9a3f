#include "agent/core/utf8.h"

namespace tocsin {

DecodedRune DecodeUtf8(std::string_view s, size_t pos) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char b0 = byte(pos);
  const DecodedRune invalid{kRuneError, 1, false};
  if (b0 < 0x80) return {b0, 1, true};
  size_t width;
  char32_t rune;
  // Second-byte bounds per Go's acceptRanges: they exclude overlongs and surrogates.
  unsigned char lo = 0x80, hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    width = 2;
    rune = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    width = 3;
    rune = b0 & 0x0F;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    width = 4;
    rune = b0 & 0x07;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return invalid;
  }
  if (pos + width > s.size()) return invalid;
  const unsigned char b1 = byte(pos + 1);
  if (b1 < lo || b1 > hi) return invalid;
  rune = (rune << 6) | (b1 & 0x3F);
  for (size_t i = 2; i < width; ++i) {
    const unsigned char b = byte(pos + i);
    if (b < 0x80 || b > 0xBF) return invalid;
    rune = (rune << 6) | (b & 0x3F);
  }
  return {rune, width, true};
}

bool ValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    DecodedRune r = DecodeUtf8(s, i);
    if (!r.valid) return false;
    i += r.width;
  }
  return true;
}

void AppendUtf8(std::string& out, char32_t r) {
  if (r < 0x80) {
    out += static_cast<char>(r);
  } else if (r < 0x800) {
    out += static_cast<char>(0xC0 | (r >> 6));
    out += static_cast<char>(0x80 | (r & 0x3F));
  } else if (r < 0x10000) {
    out += static_cast<char>(0xE0 | (r >> 12));
    out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (r & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (r >> 18));
    out += static_cast<char>(0x80 | ((r >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (r & 0x3F));
  }
}

std::string SanitizeUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    DecodedRune r = DecodeUtf8(s, i);
    if (r.valid) {
      out.append(s.substr(i, r.width));
    } else {
      AppendUtf8(out, kRuneError);
    }
    i += r.width;
  }
  return out;
}

bool SanitizeUtf8InPlace(std::string& s) {
  if (ValidUtf8(s)) return false;
  s = SanitizeUtf8(s);
  return true;
}

}  // namespace tocsin
