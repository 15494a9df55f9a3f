#include "rules/yaml_decode.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <regex>

#include "agent/core/duration.h"

namespace tocsin::rules {
namespace {

bool IsIntText(const std::string& s) {
  static const std::regex re("[-+]?(0|[1-9][0-9_]*|0[0-7_]+|0x[0-9a-fA-F_]+|0o[0-7_]+|0b[01_]+)");
  return std::regex_match(s, re);
}
bool IsFloatText(const std::string& s) {
  static const std::regex re(
      "[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|"
      "NAN)");
  return std::regex_match(s, re);
}

std::string Line(const YamlNode& n) { return "line " + std::to_string(n.mark().line) + ": "; }

}  // namespace

const char* YamlDecoder::ScalarTag(const YamlNode& node) {
  if (node.IsNull()) return "!!null";
  if (node.quoted()) return "!!str";
  const std::string& s = node.scalar();
  if (s == "true" || s == "True" || s == "TRUE" || s == "false" || s == "False" || s == "FALSE") {
    return "!!bool";
  }
  if (IsIntText(s)) return "!!int";
  if (IsFloatText(s)) return "!!float";
  return "!!str";
}

std::string YamlDecoder::Message() const {
  if (!fatal_.empty()) return fatal_;
  std::string out = "yaml: unmarshal errors:";
  for (const auto& e : errors_) out += "\n  " + e;
  return out;
}

void YamlDecoder::TypeError(const YamlNode& node, const char* go_type) {
  std::string what;
  if (node.IsMap()) {
    what = "!!map";
  } else if (node.IsSequence()) {
    what = "!!seq";
  } else {
    what = std::string(ScalarTag(node)) + " `" + node.scalar() + "`";
  }
  errors_.push_back(Line(node) + "cannot unmarshal " + what + " into " + go_type);
}

void YamlDecoder::UnknownField(const YamlNode& key, const char* go_type) {
  errors_.push_back(Line(key) + "field " + key.scalar() + " not found in type " + go_type);
}

bool YamlDecoder::ExpectMap(const YamlNode& node, const char* go_type) {
  if (node.IsNull()) return false;
  if (node.IsMap()) return true;
  TypeError(node, go_type);
  return false;
}

bool YamlDecoder::ExpectSeq(const YamlNode& node, const char* go_type) {
  if (node.IsNull()) return false;
  if (node.IsSequence()) return true;
  TypeError(node, go_type);
  return false;
}

bool YamlDecoder::String(const YamlNode& node, std::string& out) {
  if (node.IsNull()) {
    out.clear();
    return false;
  }
  if (!node.IsScalar()) {
    TypeError(node, "string");
    return false;
  }
  out = node.scalar();
  return true;
}

bool YamlDecoder::Int(const YamlNode& node, int64_t& out) {
  if (node.IsNull()) return false;
  if (!node.IsScalar() || std::string(ScalarTag(node)) != "!!int") {
    TypeError(node, "int");
    return false;
  }
  std::string s;
  for (char c : node.scalar()) {
    if (c != '_') s += c;
  }
  int base = 10;
  std::string digits = s;
  bool neg = false;
  if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) {
    neg = digits[0] == '-';
    digits = digits.substr(1);
  }
  if (digits.size() > 1 && digits[0] == '0') {
    if (digits[1] == 'x')
      base = 16, digits = digits.substr(2);
    else if (digits[1] == 'o')
      base = 8, digits = digits.substr(2);
    else if (digits[1] == 'b')
      base = 2, digits = digits.substr(2);
    else
      base = 8;
  }
  errno = 0;
  long long v = std::strtoll(digits.c_str(), nullptr, base);
  if (errno == ERANGE) {
    TypeError(node, "int");
    return false;
  }
  out = neg ? -v : v;
  return true;
}

bool YamlDecoder::Float(const YamlNode& node, double& out) {
  if (node.IsNull()) return false;
  std::string tag = node.IsScalar() ? ScalarTag(node) : "";
  if (tag != "!!int" && tag != "!!float") {
    TypeError(node, "float64");
    return false;
  }
  std::string s;
  for (char c : node.scalar()) {
    if (c != '_') s += c;
  }
  if (s.find("inf") != std::string::npos || s.find("Inf") != std::string::npos ||
      s.find("INF") != std::string::npos) {
    out = s[0] == '-' ? -INFINITY : INFINITY;
  } else if (s.find("nan") != std::string::npos || s.find("NaN") != std::string::npos ||
             s.find("NAN") != std::string::npos) {
    out = NAN;
  } else if (tag == "!!int") {
    int64_t i = 0;
    Int(node, i);
    out = static_cast<double>(i);
  } else {
    out = std::strtod(s.c_str(), nullptr);
  }
  return true;
}

bool YamlDecoder::Bool(const YamlNode& node, bool& out) {
  if (node.IsNull()) return false;
  if (!node.IsScalar() || std::string(ScalarTag(node)) != "!!bool") {
    TypeError(node, "bool");
    return false;
  }
  out = node.scalar()[0] == 't' || node.scalar()[0] == 'T';
  return true;
}

bool YamlDecoder::Duration(const YamlNode& node, std::chrono::milliseconds& out) {
  if (node.IsNull()) return false;
  if (!node.IsScalar()) {
    TypeError(node, "string");
    return false;
  }
  auto d = ParseDuration(node.scalar());
  if (!d.ok()) {
    Fatal("not a valid duration string: \"" + node.scalar() + "\"");
    return false;
  }
  out = *d;
  return true;
}

bool YamlDecoder::StringMap(const YamlNode& node,
                            std::vector<std::pair<std::string, std::string>>& out) {
  if (!ExpectMap(node, "map[string]string")) return false;
  for (const auto& [k, v] : node.entries()) {
    std::string key, value;
    if (!k.IsScalar() && !k.IsNull()) {
      TypeError(k, "string");
      continue;
    }
    key = k.scalar();
    String(v, value);
    if (!v.IsNull() && !v.IsScalar()) continue;
    out.emplace_back(std::move(key), std::move(value));
  }
  return true;
}

bool YamlDecoder::StringList(const YamlNode& node, std::vector<std::string>& out) {
  if (!ExpectSeq(node, "[]string")) return false;
  for (const auto& item : node.items()) {
    std::string s;
    String(item, s);
    out.push_back(std::move(s));
  }
  return true;
}

}  // namespace tocsin::rules
