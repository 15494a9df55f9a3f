#include "collectors/system/os_release.h"

#include <array>
#include <optional>

namespace tocsin::system {
namespace {

bool IsKeyStart(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }

bool IsKeyChar(char c) { return IsKeyStart(c) || (c >= '0' && c <= '9') || c == '.' || c == '/'; }

std::optional<uint32_t> Hex4(std::string_view s) {
  if (s.size() < 4) return std::nullopt;
  uint32_t r = 0;
  for (size_t i = 0; i < 4; ++i) {
    char c = s[i];
    uint32_t d;
    if (c >= '0' && c <= '9') {
      d = static_cast<uint32_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      d = static_cast<uint32_t>(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      d = static_cast<uint32_t>(c - 'A' + 10);
    } else {
      return std::nullopt;
    }
    r = r * 16 + d;
  }
  return r;
}

void AppendUtf8(uint32_t r, std::string& out) {
  if ((r >= 0xD800 && r <= 0xDFFF) || r > 0x10FFFF) r = 0xFFFD;  // as Go's utf8.EncodeRune
  if (r < 0x80) {
    out.push_back(static_cast<char>(r));
  } else if (r < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (r >> 6)));
    out.push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else if (r < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (r >> 12)));
    out.push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (r >> 18)));
    out.push_back(static_cast<char>(0x80 | ((r >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (r & 0x3F)));
  }
}

// One line, go-envparse rules: blank and '#' lines are skipped; "export " is dropped from the
// key; unquoted '#' starts a comment; "..." allows JSON-like escapes, '...' none.
Status ParseEnvLine(std::string_view ln, std::string& key_out, std::string& value_out) {
  key_out.clear();
  value_out.clear();
  ln = TrimSpace(ln);
  if (ln.empty() || ln.front() == '#') return Status::Ok();
  size_t eq = ln.find('=');
  if (eq == std::string_view::npos) return InvalidArgument("missing =");
  std::string_view key = TrimSpace(ln.substr(0, eq));
  std::string_view value = TrimSpace(ln.substr(eq + 1));
  constexpr std::string_view kExport = "export ";
  if (key.size() > kExport.size() && key.starts_with(kExport)) key.remove_prefix(kExport.size());
  if (key.empty()) return InvalidArgument("empty key");
  if (!IsKeyStart(key.front())) return InvalidArgument("key must start with [A-Za-z_]");
  for (char c : key.substr(1)) {
    if (!IsKeyChar(c)) return InvalidArgument("key characters must be [A-Za-z0-9/_.]");
  }
  enum class Mode { kNormal, kDouble, kSingle, kEscape } mode = Mode::kNormal;
  std::string out;
  size_t last_sig = 0;  // end of the last significant (non-blank) byte, for trailing comments
  for (size_t i = 0; i < value.size(); ++i) {
    auto c = static_cast<unsigned char>(value[i]);
    if (c < 32) return InvalidArgument("invalid value character");
    if (c > 127) {
      if (mode == Mode::kEscape) return InvalidArgument("multibyte characters in escape");
      last_sig = out.size();  // sic: go-envparse marks before, not after, a multibyte byte
      out.push_back(static_cast<char>(c));
      continue;
    }
    switch (mode) {
      case Mode::kNormal:
        if (c == '"') {
          mode = Mode::kDouble;
        } else if (c == '\'') {
          mode = Mode::kSingle;
        } else if (c == '#') {
          out.resize(last_sig);
          key_out = std::string(key);
          value_out = std::move(out);
          return Status::Ok();
        } else {
          out.push_back(static_cast<char>(c));
          if (c != ' ' && c != '\t') last_sig = out.size();
        }
        break;
      case Mode::kDouble:
        if (c == '"') {
          mode = Mode::kNormal;
        } else if (c == '\\') {
          mode = Mode::kEscape;
        } else {
          out.push_back(static_cast<char>(c));
          last_sig = out.size();
        }
        break;
      case Mode::kSingle:
        if (c == '\'') {
          mode = Mode::kNormal;
        } else {
          out.push_back(static_cast<char>(c));
          last_sig = out.size();
        }
        break;
      case Mode::kEscape:
        switch (c) {
          case '"':
          case '\\':
          case '/':
            out.push_back(static_cast<char>(c));
            break;
          case 'b':
            out.push_back('\b');
            break;
          case 'f':
            out.push_back('\f');
            break;
          case 'r':
            out.push_back('\r');
            break;
          case 'n':
            out.push_back('\n');
            break;
          case 't':
            out.push_back('\t');
            break;
          case 'u': {
            std::optional<uint32_t> r = Hex4(value.substr(i + 1));
            if (!r) return InvalidArgument("incomplete or invalid hex sequence");
            i += 4;
            if (*r >= 0xD800 && *r <= 0xDFFF) {
              if (value.size() < i + 6 || value[i + 1] != '\\' || value[i + 2] != 'u') {
                return InvalidArgument("incomplete Unicode surrogate pair");
              }
              std::optional<uint32_t> r2 = Hex4(value.substr(i + 3));
              if (!r2) return InvalidArgument("invalid hex sequence");
              i += 6;
              bool pair = *r < 0xDC00 && *r2 >= 0xDC00 && *r2 <= 0xDFFF;
              *r = pair ? 0x10000 + ((*r - 0xD800) << 10) + (*r2 - 0xDC00) : 0xFFFD;
            }
            AppendUtf8(*r, out);
            break;
          }
          default:
            return InvalidArgument("invalid escape sequence");
        }
        last_sig = out.size();
        mode = Mode::kDouble;
        break;
    }
  }
  switch (mode) {
    case Mode::kNormal:
      break;
    case Mode::kDouble:
      return InvalidArgument("unmatched \"");
    case Mode::kSingle:
      return InvalidArgument("unmatched '");
    case Mode::kEscape:
      return InvalidArgument("incomplete escape sequence");
  }
  key_out = std::string(key);
  value_out = std::move(out);
  return Status::Ok();
}

// The leading "[0-9]+\.?[0-9]*" of VERSION_ID as a number; 0 when there is none.
double MajorMinor(std::string_view version_id) {
  size_t n = 0;
  while (n < version_id.size() && version_id[n] >= '0' && version_id[n] <= '9') ++n;
  if (n == 0) return 0;
  if (n < version_id.size() && version_id[n] == '.') {
    ++n;
    while (n < version_id.size() && version_id[n] >= '0' && version_id[n] <= '9') ++n;
  }
  std::string_view digits = version_id.substr(0, n);
  if (digits.ends_with('.')) digits.remove_suffix(1);  // Go's ParseFloat("12.") is 12 as well
  return ParseDouble(digits).value_or(0);
}

}  // namespace

Status ParseEnvFile(std::string_view text, std::map<std::string, std::string>& env) {
  std::string_view line;
  std::string key;
  std::string value;
  for (int n = 1; NextLine(text, line); ++n) {
    Status st = ParseEnvLine(line, key, value);
    if (!st.ok()) return st.WithContext("line " + std::to_string(n));
    if (!key.empty()) env[key] = value;
  }
  return Status::Ok();
}

Status ParseOsRelease(std::string_view text, SampleSink& sink) {
  std::map<std::string, std::string> env;
  Status st = ParseEnvFile(text, env);
  if (!st.ok()) return st.WithContext("os-release");
  auto get = [&](const char* key) -> std::string {
    auto it = env.find(key);
    return it == env.end() ? std::string() : it->second;
  };
  sink.Family("node_os_info", MetricType::kGauge,
              "A metric with a constant '1' value labeled by build_id, id, id_like, image_id, "
              "image_version, name, pretty_name, variant, variant_id, version, "
              "version_codename, version_id.");
  sink.Add("node_os_info",
           {{"build_id", get("BUILD_ID")},
            {"id", get("ID")},
            {"id_like", get("ID_LIKE")},
            {"image_id", get("IMAGE_ID")},
            {"image_version", get("IMAGE_VERSION")},
            {"name", get("NAME")},
            {"pretty_name", get("PRETTY_NAME")},
            {"variant", get("VARIANT")},
            {"variant_id", get("VARIANT_ID")},
            {"version", get("VERSION")},
            {"version_codename", get("VERSION_CODENAME")},
            {"version_id", get("VERSION_ID")}},
           1);
  double version = MajorMinor(get("VERSION_ID"));
  if (version > 0) {
    sink.Family("node_os_version", MetricType::kGauge,
                "Metric containing the major.minor part of the OS version.");
    sink.Add("node_os_version",
             {{"id", get("ID")}, {"id_like", get("ID_LIKE")}, {"name", get("NAME")}}, version);
  }
  return Status::Ok();
}

Status ReadOsRelease(const std::string& rootfs, ProcFile& file, SampleSink& sink) {
  for (std::string_view rel : {"etc/os-release", "usr/lib/os-release"}) {
    std::string path = JoinPath(rootfs, rel);
    Result<std::string_view> text = file.Read(path);
    if (!text.ok()) {
      if (text.status().code() == StatusCode::kNotFound) continue;
      return text.status();
    }
    Status st = ParseOsRelease(*text, sink);
    return st.ok() ? st : st.WithContext(path);
  }
  return NotFound("os: no os-release file found");
}

}  // namespace tocsin::system
