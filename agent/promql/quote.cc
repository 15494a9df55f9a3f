#include "agent/promql/quote.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "agent/core/go_format.h"

namespace tocsin::promql {
namespace {

int HexVal(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Length of a valid UTF-8 sequence starting at s[i], or 0 when invalid.
size_t Utf8Len(std::string_view s, size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
  }
  return n;
}

}  // namespace

Result<std::string> Unquote(std::string_view q) {
  if (q.size() < 2 || q.front() != q.back() ||
      (q.front() != '"' && q.front() != '\'' && q.front() != '`')) {
    return InvalidArgument("invalid syntax");
  }
  char delim = q.front();
  std::string_view body = q.substr(1, q.size() - 2);
  if (delim == '`') {
    if (body.find('`') != std::string_view::npos) return InvalidArgument("invalid syntax");
    return std::string(body);
  }
  std::string out;
  out.reserve(body.size());
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c == delim) return InvalidArgument("invalid syntax");
    if (c == '\n') return InvalidArgument("invalid syntax");
    if (c != '\\') {
      out += c;
      continue;
    }
    if (++i >= body.size()) return InvalidArgument("invalid syntax");
    char e = body[i];
    switch (e) {
      case 'a':
        out += '\a';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'v':
        out += '\v';
        break;
      case '\\':
        out += '\\';
        break;
      case '\'':
      case '"':
        if (e != delim) return InvalidArgument("invalid syntax");
        out += e;
        break;
      case 'x':
      case 'u':
      case 'U': {
        size_t n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
        if (i + n >= body.size()) return InvalidArgument("invalid syntax");
        uint32_t v = 0;
        for (size_t k = 1; k <= n; ++k) {
          int h = HexVal(body[i + k]);
          if (h < 0) return InvalidArgument("invalid syntax");
          v = v * 16 + static_cast<uint32_t>(h);
        }
        i += n;
        if (e == 'x') {
          out += static_cast<char>(v);
        } else {
          if (v > 0x10FFFF || (v >= 0xD800 && v < 0xE000)) return InvalidArgument("invalid syntax");
          AppendUtf8(out, v);
        }
        break;
      }
      default:
        if (e >= '0' && e <= '7') {
          if (i + 2 >= body.size()) return InvalidArgument("invalid syntax");
          uint32_t v = 0;
          for (size_t k = 0; k < 3; ++k) {
            char d = body[i + k];
            if (d < '0' || d > '7') return InvalidArgument("invalid syntax");
            v = v * 8 + static_cast<uint32_t>(d - '0');
          }
          if (v > 255) return InvalidArgument("invalid syntax");
          out += static_cast<char>(v);
          i += 2;
          break;
        }
        return InvalidArgument("invalid syntax");
    }
  }
  return out;
}

std::string Quote(std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      size_t n = Utf8Len(s, i);
      if (n == 0) {
        out += "\\x";
        out += kHex[c >> 4];
        out += kHex[c & 15];
        ++i;
      } else {
        out.append(s.substr(i, n));
        i += n;
      }
      continue;
    }
    switch (c) {
      case '\a':
        out += "\\a";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\v':
        out += "\\v";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += "\\x";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
  out += '"';
  return out;
}

std::string FormatFloat(double v) { return FormatGoFloatG(v); }

}  // namespace tocsin::promql
