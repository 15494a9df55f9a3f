#include "agent/core/json.h"

#include <charconv>
#include <cmath>

#include "agent/core/go_format.h"
#include "agent/core/utf8.h"

namespace tocsin {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void AppendEscapedByte(std::string& out, unsigned char c) {
  out += "\\u00";
  out += kHex[c >> 4];
  out += kHex[c & 0xF];
}

void Encode(std::string& out, const nlohmann::json& v, const JsonOptions& o, int depth) {
  const auto newline = [&](int level) {
    if (o.indent < 0) return;
    out += '\n';
    out.append(static_cast<size_t>(level) * o.indent, ' ');
  };
  switch (v.type()) {
    case nlohmann::json::value_t::null:
    case nlohmann::json::value_t::discarded:
      out += "null";
      return;
    case nlohmann::json::value_t::boolean:
      out += v.get<bool>() ? "true" : "false";
      return;
    case nlohmann::json::value_t::number_integer:
      out += std::to_string(v.get<int64_t>());
      return;
    case nlohmann::json::value_t::number_unsigned:
      out += std::to_string(v.get<uint64_t>());
      return;
    case nlohmann::json::value_t::number_float:
      AppendJsonFloat(out, v.get<double>());
      return;
    case nlohmann::json::value_t::string:
      AppendJsonString(out, v.get_ref<const std::string&>(), o.escape_html);
      return;
    case nlohmann::json::value_t::binary:
      out += "null";
      return;
    case nlohmann::json::value_t::array: {
      if (v.empty()) {
        out += "[]";
        return;
      }
      out += '[';
      bool first = true;
      for (const auto& e : v) {
        if (!first) out += ',';
        first = false;
        newline(depth + 1);
        Encode(out, e, o, depth + 1);
      }
      newline(depth);
      out += ']';
      return;
    }
    case nlohmann::json::value_t::object: {
      if (v.empty()) {
        out += "{}";
        return;
      }
      out += '{';
      bool first = true;
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (!first) out += ',';
        first = false;
        newline(depth + 1);
        AppendJsonString(out, it.key(), o.escape_html);
        out += o.indent < 0 ? ":" : ": ";
        Encode(out, it.value(), o, depth + 1);
      }
      newline(depth);
      out += '}';
      return;
    }
  }
}

}  // namespace

void AppendJsonString(std::string& out, std::string_view s, bool escape_html) {
  out += '"';
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
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
        case '<':
        case '>':
        case '&':
          if (escape_html) {
            AppendEscapedByte(out, c);
          } else {
            out += static_cast<char>(c);
          }
          break;
        default:
          if (c < 0x20) {
            AppendEscapedByte(out, c);
          } else {
            out += static_cast<char>(c);
          }
      }
      ++i;
      continue;
    }
    DecodedRune r = DecodeUtf8(s, i);
    if (!r.valid) {
      out += "\\ufffd";
    } else if (r.rune == 0x2028 || r.rune == 0x2029) {
      out += r.rune == 0x2028 ? "\\u2028" : "\\u2029";
    } else {
      out.append(s.substr(i, r.width));
    }
    i += r.width;
  }
  out += '"';
}

void AppendJsonFloat(std::string& out, double v) {
  if (!std::isfinite(v)) {
    out += "null";
    return;
  }
  const double abs = std::fabs(v);
  if (abs != 0 && (abs < 1e-6 || abs >= 1e21)) {
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
    std::string s(buf, end);
    // Go's encoder trims a two-digit negative exponent: "1e-07" becomes "1e-7".
    const size_t n = s.size();
    if (n >= 4 && s[n - 4] == 'e' && s[n - 3] == '-' && s[n - 2] == '0') s.erase(n - 2, 1);
    out += s;
    return;
  }
  out += FormatGoFloatF(v);
}

std::string EncodeJson(const nlohmann::json& value, JsonOptions options) {
  std::string out;
  Encode(out, value, options, 0);
  return out;
}

}  // namespace tocsin
