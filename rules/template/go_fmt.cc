#include "rules/template/go_fmt.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "agent/core/go_format.h"
#include "rules/template/go_time.h"

namespace tocsin::rules::tmpl {
namespace {

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
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
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

// Pads `s` to the width in `flags` ("-" left-justifies), as fmt does for strings.
std::string Pad(const std::string& s, const std::string& flags, int width) {
  if (width <= 0 || static_cast<int>(s.size()) >= width) return s;
  std::string pad(width - s.size(), ' ');
  return flags.find('-') != std::string::npos ? s + pad : pad + s;
}

std::string CFormat(const std::string& spec, double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v))
    return v > 0 ? (spec.find('+') != std::string::npos ? "+Inf" : "+Inf") : "-Inf";
  char buf[512];
  std::snprintf(buf, sizeof buf, spec.c_str(), v);
  return buf;
}

std::string BadVerb(char verb, const Value& a) {
  if (a.kind == Value::Kind::kNil) return std::string("%!") + verb + "(<nil>)";
  return std::string("%!") + verb + "(" + a.GoType() + "=" + a.Print() + ")";
}

// Go's %x/%X on a float: hexadecimal mantissa with a two-digit exponent ("0x1.8p+00").
std::string HexFloat(double v, bool upper) {
  char buf[64];
  std::snprintf(buf, sizeof buf, upper ? "%A" : "%a", v);
  std::string s = buf;
  size_t p = s.find_first_of("pP");
  if (p != std::string::npos && p + 2 < s.size() + 1) {
    std::string exp = s.substr(p + 2);
    if (exp.size() < 2) s = s.substr(0, p + 2) + std::string(2 - exp.size(), '0') + exp;
  }
  return s;
}

}  // namespace

const char* Value::GoType() const {
  switch (kind) {
    case Kind::kNil:
      return "<nil>";
    case Kind::kString:
      return "string";
    case Kind::kFloat:
      return "float64";
    case Kind::kInt:
      return "int";
    case Kind::kBool:
      return "bool";
    case Kind::kLabels:
      return type_name ? type_name : "map[string]string";
    case Kind::kVector:
      return "template.queryResult";
    case Kind::kSample:
      return "*template.sample";
    case Kind::kList:
    case Kind::kStruct:
      return type_name;
    case Kind::kTime:
      return "time.Time";
  }
  return "?";
}

bool Value::Truth() const {
  switch (kind) {
    case Kind::kNil:
      return false;
    case Kind::kString:
      return !s.empty();
    case Kind::kFloat:
      return f != 0;
    case Kind::kInt:
      return i != 0;
    case Kind::kBool:
      return b;
    case Kind::kLabels:
      return labels && !labels->empty();
    case Kind::kVector:
      return vec && !vec->empty();
    case Kind::kSample:
      return true;
    case Kind::kList:
      return !list->empty();
    case Kind::kStruct:  // Go: a struct is always true
    case Kind::kTime:
      return true;
  }
  return false;
}

std::string Value::Print() const {
  switch (kind) {
    case Kind::kNil:
      return "<no value>";
    case Kind::kString:
      return s;
    case Kind::kFloat:
      return FormatGoFloatG(f);
    case Kind::kInt:
      return std::to_string(i);
    case Kind::kBool:
      return b ? "true" : "false";
    case Kind::kLabels: {
      std::string out = "map[";
      bool first = true;
      for (const auto& l : *labels) {
        if (!first) out += ' ';
        first = false;
        out += l.name + ":" + l.value;
      }
      return out + "]";
    }
    case Kind::kSample: {
      Value m = OwnedMap(sample->labels);
      return "&{" + m.Print() + " " + FormatGoFloatG(sample->value) + "}";
    }
    case Kind::kVector: {
      std::string out = "[";
      for (size_t k = 0; k < vec->size(); ++k) {
        if (k > 0) out += ' ';
        out += Sample((*vec)[k]).Print();
      }
      return out + "]";
    }
    case Kind::kList: {
      std::string out = "[";
      for (size_t k = 0; k < list->size(); ++k) {
        if (k > 0) out += ' ';
        out += (*list)[k].Print();
      }
      return out + "]";
    }
    case Kind::kStruct: {
      std::string out = "{";
      for (size_t k = 0; k < fields->members.size(); ++k) {
        if (k > 0) out += ' ';
        out += fields->members[k].second.Print();
      }
      return out + "}";
    }
    case Kind::kTime:
      return GoTimeString(i);
  }
  return "";
}

std::string GoG4(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

Result<double> ToFloat(const Value& v) {
  switch (v.kind) {
    case Value::Kind::kFloat:
      return v.f;
    case Value::Kind::kInt:
      return static_cast<double>(v.i);
    case Value::Kind::kString: {
      const std::string& s = v.s;
      if (s == "NaN") return std::nan("");
      if (s == "Inf" || s == "+Inf" || s == "inf" || s == "+inf") return HUGE_VAL;
      if (s == "-Inf" || s == "-inf") return -HUGE_VAL;
      char* end = nullptr;
      double d = s.empty() ? 0 : std::strtod(s.c_str(), &end);
      if (s.empty() || end != s.c_str() + s.size() || s.find_first_of(" \t\n") == 0) {
        return InvalidArgument("strconv.ParseFloat: parsing " + Quote(s) + ": invalid syntax");
      }
      return d;
    }
    default:
      return InvalidArgument(std::string("can't convert ") + v.GoType() + " to float");
  }
}

std::string Humanize(double v) {
  if (v == 0 || std::isnan(v) || std::isinf(v)) return GoG4(v);
  static const char* kBig[] = {"k", "M", "G", "T", "P", "E", "Z", "Y"};
  static const char* kSmall[] = {"m", "u", "n", "p", "f", "a", "z", "y"};
  std::string prefix;
  if (std::fabs(v) >= 1) {
    for (const char* p : kBig) {
      if (std::fabs(v) < 1000) break;
      prefix = p;
      v /= 1000;
    }
    return GoG4(v) + prefix;
  }
  for (const char* p : kSmall) {
    if (std::fabs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return GoG4(v) + prefix;
}

std::string Humanize1024(double v) {
  if (std::fabs(v) <= 1 || std::isnan(v) || std::isinf(v)) return GoG4(v);
  static const char* kPrefixes[] = {"ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"};
  std::string prefix;
  for (const char* p : kPrefixes) {
    if (std::fabs(v) < 1024) break;
    prefix = p;
    v /= 1024;
  }
  return GoG4(v) + prefix;
}

std::string HumanizeDuration(double v) {
  if (std::isnan(v) || std::isinf(v)) return GoG4(v);
  if (v == 0) return GoG4(v) + "s";
  if (std::fabs(v) >= 1) {
    std::string sign;
    if (v < 0) {
      sign = "-";
      v = -v;
    }
    auto d = static_cast<int64_t>(v);
    int64_t seconds = d % 60, minutes = (d / 60) % 60, hours = (d / 3600) % 24, days = d / 86400;
    char buf[128];
    if (days != 0) {
      std::snprintf(buf, sizeof buf, "%s%lldd %lldh %lldm %llds", sign.c_str(),
                    static_cast<long long>(days), static_cast<long long>(hours),
                    static_cast<long long>(minutes), static_cast<long long>(seconds));
    } else if (hours != 0) {
      std::snprintf(buf, sizeof buf, "%s%lldh %lldm %llds", sign.c_str(),
                    static_cast<long long>(hours), static_cast<long long>(minutes),
                    static_cast<long long>(seconds));
    } else if (minutes != 0) {
      std::snprintf(buf, sizeof buf, "%s%lldm %llds", sign.c_str(), static_cast<long long>(minutes),
                    static_cast<long long>(seconds));
    } else {
      return sign + GoG4(v) + "s";
    }
    return buf;
  }
  static const char* kSmall[] = {"m", "u", "n", "p", "f", "a", "z", "y"};
  std::string prefix;
  for (const char* p : kSmall) {
    if (std::fabs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return GoG4(v) + prefix + "s";
}

std::string HumanizePercentage(double v) { return GoG4(v * 100) + "%"; }

std::string HumanizeTimestamp(double v) {
  if (std::isnan(v) || std::isinf(v)) return GoG4(v);
  // model.TimeFromUnixNano(int64(v * 1e9)): millisecond precision.
  auto ms = static_cast<int64_t>(v * 1e9) / 1000000;
  int64_t secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
  int64_t frac = ms - secs * 1000;
  time_t tt = static_cast<time_t>(secs);
  struct tm tm {};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  std::string out = buf;
  if (frac != 0) {
    char f[24];
    std::snprintf(f, sizeof f, ".%03lld", static_cast<long long>(frac));
    std::string fs = f;
    while (fs.back() == '0') fs.pop_back();
    out += fs;
  }
  return out + " +0000 UTC";
}

std::string GoSprintf(const std::string& format, const std::vector<Value>& args) {
  std::string out;
  size_t ai = 0;
  for (size_t i = 0; i < format.size(); ++i) {
    char c = format[i];
    if (c != '%') {
      out += c;
      continue;
    }
    size_t j = i + 1;
    std::string flags;
    while (j < format.size() && std::string_view("+- #0").find(format[j]) != std::string::npos) {
      flags += format[j++];
    }
    int width = -1, prec = -1;
    std::string width_s, prec_s;
    // fmt's parsenum: a number past 1e6 is "crazy long", and the rest of the format is
    // consumed (it then reports NOVERB); so a width of 10^17 never pads (found by the fuzzer).
    auto parse_num = [&](std::string& digits) {
      int n = 0;
      while (j < format.size() && std::isdigit(static_cast<unsigned char>(format[j]))) {
        if (n > 1'000'000) {
          j = format.size();
          return 0;
        }
        n = n * 10 + (format[j] - '0');
        digits += format[j++];
      }
      return n;
    };
    int parsed_width = parse_num(width_s);
    if (!width_s.empty()) width = parsed_width;
    bool has_prec = false;
    if (j < format.size() && format[j] == '.') {
      has_prec = true;
      ++j;
      prec = parse_num(prec_s);
    }
    if (j >= format.size()) {
      out += "%!(NOVERB)";
      break;
    }
    char verb = format[j];
    i = j;
    if (verb == '%') {
      out += '%';
      continue;
    }
    if (ai >= args.size()) {
      out += std::string("%!") + verb + "(MISSING)";
      continue;
    }
    const Value& a = args[ai++];
    std::string spec = "%" + flags + width_s + (has_prec ? "." + std::to_string(prec) : "");
    char buf[512];
    switch (verb) {
      case 'v':
        if (a.kind == Value::Kind::kFloat && has_prec) {
          out += CFormat(spec + "g", a.f);
        } else if (a.kind == Value::Kind::kFloat || a.kind == Value::Kind::kInt) {
          std::string s = a.Print();
          if (flags.find('+') != std::string::npos && s[0] != '-' && s[0] != '+') s = "+" + s;
          out += Pad(s, flags, width);
        } else {
          out += Pad(a.Print(), flags, width);
        }
        break;
      case 's':
        if (a.kind == Value::Kind::kString) {
          std::string s =
              has_prec && prec < static_cast<int>(a.s.size()) ? a.s.substr(0, prec) : a.s;
          out += Pad(s, flags, width);
        } else if (a.kind == Value::Kind::kLabels || a.kind == Value::Kind::kSample ||
                   a.kind == Value::Kind::kVector) {
          out += Pad(a.Print(), flags, width);
        } else {
          out += BadVerb(verb, a);
        }
        break;
      case 'q':
        if (a.kind == Value::Kind::kString) {
          out += Pad(Quote(a.s), flags, width);
        } else {
          out += BadVerb(verb, a);
        }
        break;
      case 't':
        if (a.kind == Value::Kind::kBool) {
          out += Pad(a.Print(), flags, width);
        } else {
          out += BadVerb(verb, a);
        }
        break;
      case 'd':
        if (a.kind == Value::Kind::kInt) {
          std::snprintf(buf, sizeof buf, (spec + "lld").c_str(), static_cast<long long>(a.i));
          out += buf;
        } else {
          out += BadVerb(verb, a);
        }
        break;
      case 'x':
      case 'X':
        if (a.kind == Value::Kind::kInt) {
          std::snprintf(buf, sizeof buf, (spec + "ll" + verb).c_str(), static_cast<long long>(a.i));
          out += buf;
        } else if (a.kind == Value::Kind::kString) {
          std::string h;
          for (unsigned char ch : a.s) {
            std::snprintf(buf, sizeof buf, verb == 'x' ? "%02x" : "%02X", ch);
            h += buf;
          }
          out += Pad(h, flags, width);
        } else if (a.kind == Value::Kind::kFloat) {
          out += HexFloat(a.f, verb == 'X');
        } else {
          out += BadVerb(verb, a);
        }
        break;
      case 'f':
      case 'F':
      case 'e':
      case 'E':
      case 'g':
      case 'G':
        if (a.kind != Value::Kind::kFloat) {
          out += BadVerb(verb, a);
        } else if ((verb == 'g' || verb == 'G') && !has_prec) {
          std::string s = FormatGoFloatG(a.f);
          if (verb == 'G') {
            for (char& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
          }
          if (flags.find('+') != std::string::npos && s[0] != '-' && s[0] != '+') s = "+" + s;
          out += Pad(s, flags, width);
        } else {
          std::string s = CFormat(spec + (verb == 'F' ? 'f' : verb), a.f);
          if (std::isinf(a.f) && a.f > 0 && flags.find('+') == std::string::npos) s = "+Inf";
          out += Pad(s, flags, width);
        }
        break;
      default:
        out += BadVerb(verb, a);
    }
  }
  if (ai < args.size()) {
    out += "%!(EXTRA ";
    for (size_t k = ai; k < args.size(); ++k) {
      if (k > ai) out += ", ";
      out += std::string(args[k].GoType()) + "=" + args[k].Print();
    }
    out += ")";
  }
  return out;
}

}  // namespace tocsin::rules::tmpl
