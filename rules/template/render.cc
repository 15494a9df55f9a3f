#include "rules/template/render.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>

namespace tocsin::rules::tmpl {
namespace {

struct Value {
  enum class Kind { kNil, kString, kFloat, kInt, kBool, kLabels };
  Kind kind = Kind::kNil;
  std::string s;
  double f = 0;
  int64_t i = 0;
  bool b = false;
  const Labels* labels = nullptr;
  static Value Str(std::string v) {
    Value x;
    x.kind = Kind::kString;
    x.s = std::move(v);
    return x;
  }
  static Value Float(double v) {
    Value x;
    x.kind = Kind::kFloat;
    x.f = v;
    return x;
  }
  static Value Int(int64_t v) {
    Value x;
    x.kind = Kind::kInt;
    x.i = v;
    return x;
  }
  static Value Bool(bool v) {
    Value x;
    x.kind = Kind::kBool;
    x.b = v;
    return x;
  }
  static Value Map(const Labels* l) {
    Value x;
    x.kind = Kind::kLabels;
    x.labels = l;
    return x;
  }
};

struct RenderError {
  std::string message;
};
struct Break {};
struct Continue {};

std::string Humanize(double v) {
  char buf[64];
  if (v == 0 || std::isnan(v) || std::isinf(v)) {
    std::snprintf(buf, sizeof buf, "%.4g", v);
    return buf;
  }
  static const char* kBig[] = {"", "k", "M", "G", "T", "P", "E", "Z", "Y"};
  static const char* kSmall[] = {"", "m", "u", "n", "p", "f", "a", "z", "y"};
  if (std::fabs(v) >= 1) {
    int p = 0;
    while (std::fabs(v) >= 1000 && p < 8) {
      v /= 1000;
      ++p;
    }
    std::snprintf(buf, sizeof buf, "%.4g%s", v, kBig[p]);
    return buf;
  }
  int p = 0;
  while (std::fabs(v) < 1 && p < 8) {
    v *= 1000;
    ++p;
  }
  std::snprintf(buf, sizeof buf, "%.4g%s", v, kSmall[p]);
  return buf;
}

class Renderer {
 public:
  Renderer(const Tree& tree, const AlertTemplateData& data) : tree_(tree), data_(data) {
    dot_ = RootData();
    vars_.push_back({"$", dot_});
    vars_.push_back({"$labels", Value::Map(data.labels)});
    vars_.push_back({"$externalLabels", Value::Map(data.external_labels)});
    vars_.push_back({"$externalURL", Value::Str(data.external_url)});
    vars_.push_back({"$value", Value::Float(data.value)});
  }

  std::string Run() {
    Walk(*tree_.root, dot_);
    return std::move(out_);
  }

 private:
  // The root is Prometheus's struct {Labels, ExternalLabels, ExternalURL, Value}: represented as
  // kNil and resolved by field name in Field().
  Value RootData() { return Value(); }

  [[noreturn]] void Fail(const std::string& msg) { throw RenderError{msg}; }

  Value FieldOf(const Value& v, const std::string& name, bool is_root) {
    if (is_root) {
      if (name == "Labels") return Value::Map(data_.labels);
      if (name == "ExternalLabels") return Value::Map(data_.external_labels);
      if (name == "ExternalURL") return Value::Str(data_.external_url);
      if (name == "Value") return Value::Float(data_.value);
      Fail("can't evaluate field " + name);
    }
    if (v.kind == Value::Kind::kLabels) {
      return Value::Str(v.labels ? std::string(v.labels->Get(name)) : "");
    }
    Fail("can't evaluate field " + name);
  }

  bool IsRoot(const Value& v) const { return v.kind == Value::Kind::kNil && root_dot_; }

  void Walk(const Node& n, Value dot) {
    switch (n.type) {
      case NodeType::kList:
        for (const auto& c : static_cast<const ListNode&>(n).nodes) Walk(*c, dot);
        return;
      case NodeType::kText:
        out_ += static_cast<const TextNode&>(n).text;
        return;
      case NodeType::kComment:
        return;
      case NodeType::kAction: {
        const auto& a = static_cast<const ActionNode&>(n);
        Value v = EvalPipe(*a.pipe, dot);
        if (a.pipe->decls.empty()) out_ += Print(v);
        return;
      }
      case NodeType::kIf:
      case NodeType::kWith: {
        const auto& b = static_cast<const BranchNode&>(n);
        size_t mark = vars_.size();
        Value v = EvalPipe(*b.pipe, dot);
        if (Truth(v)) {
          Walk(*b.list, n.type == NodeType::kWith ? v : dot);
        } else if (b.else_list) {
          Walk(*b.else_list, dot);
        }
        vars_.resize(mark);
        return;
      }
      case NodeType::kRange: {
        const auto& b = static_cast<const BranchNode&>(n);
        size_t mark = vars_.size();
        Value v = EvalPipe(*b.pipe, dot);
        vars_.resize(mark);
        if (v.kind != Value::Kind::kLabels) Fail("range can't iterate over this value");
        bool any = false;
        if (v.labels) {
          for (const auto& l : *v.labels) {
            any = true;
            if (b.pipe->decls.size() == 1) vars_.push_back({b.pipe->decls[0], Value::Str(l.value)});
            if (b.pipe->decls.size() == 2) {
              vars_.push_back({b.pipe->decls[0], Value::Str(l.name)});
              vars_.push_back({b.pipe->decls[1], Value::Str(l.value)});
            }
            bool saved = root_dot_;
            root_dot_ = false;
            try {
              Walk(*b.list, Value::Str(l.value));
            } catch (const Break&) {
              root_dot_ = saved;
              vars_.resize(mark);
              break;
            } catch (const Continue&) {
            }
            root_dot_ = saved;
            vars_.resize(mark);
          }
        }
        if (!any && b.else_list) Walk(*b.else_list, dot);
        return;
      }
      case NodeType::kBreak:
        throw Break{};
      case NodeType::kContinue:
        throw Continue{};
      default:
        Fail("template construct not supported yet");
    }
  }

  Value EvalPipe(const PipeNode& pipe, const Value& dot) {
    Value v;
    bool has = false;
    for (const auto& cmd : pipe.cmds) {
      v = EvalCommand(*cmd, dot, has ? &v : nullptr);
      has = true;
    }
    for (const auto& d : pipe.decls) {
      if (pipe.is_assign) {
        for (auto it = vars_.rbegin(); it != vars_.rend(); ++it) {
          if (it->first == d) {
            it->second = v;
            break;
          }
        }
      } else {
        vars_.push_back({d, v});
      }
    }
    return v;
  }

  Value EvalArg(const Node& n, const Value& dot) {
    switch (n.type) {
      case NodeType::kDot:
        return dot;
      case NodeType::kNil:
        return Value();
      case NodeType::kBool:
        return Value::Bool(static_cast<const BoolNode&>(n).value);
      case NodeType::kString:
        return Value::Str(static_cast<const StringNode&>(n).text);
      case NodeType::kNumber: {
        const auto& num = static_cast<const NumberNode&>(n);
        // Go's idealConstant: text with . e E p P is a float64, otherwise an int.
        if (num.is_float && num.text.find_first_of(".eEpP") != std::string::npos) {
          return Value::Float(num.float_value);
        }
        if (num.is_int) return Value::Int(num.int_value);
        return Value::Float(num.float_value);
      }
      case NodeType::kField: {
        const auto& f = static_cast<const FieldNode&>(n);
        Value v = dot;
        bool root = IsRoot(dot);
        for (const auto& id : f.idents) {
          v = FieldOf(v, id, root);
          root = false;
        }
        return v;
      }
      case NodeType::kVariable: {
        const auto& var = static_cast<const VariableNode&>(n);
        Value v = Lookup(var.idents[0]);
        bool root = var.idents[0] == "$" && root_dot_;
        for (size_t i = 1; i < var.idents.size(); ++i) {
          v = FieldOf(v, var.idents[i], root);
          root = false;
        }
        return v;
      }
      case NodeType::kPipe:
        return EvalPipe(static_cast<const PipeNode&>(n), dot);
      case NodeType::kChain: {
        const auto& c = static_cast<const ChainNode&>(n);
        Value v = EvalArg(*c.node, dot);
        for (const auto& f : c.fields) v = FieldOf(v, f, false);
        return v;
      }
      case NodeType::kIdentifier:
        return CallFunction(static_cast<const IdentifierNode&>(n).name, {});
      default:
        Fail("unsupported argument");
    }
  }

  Value Lookup(const std::string& name) {
    for (auto it = vars_.rbegin(); it != vars_.rend(); ++it) {
      if (it->first == name) return it->second;
    }
    Fail("undefined variable " + name);
  }

  Value EvalCommand(const CommandNode& cmd, const Value& dot, const Value* final) {
    const Node& first = *cmd.args[0];
    if (first.type == NodeType::kIdentifier) {
      std::vector<Value> args;
      for (size_t i = 1; i < cmd.args.size(); ++i) args.push_back(EvalArg(*cmd.args[i], dot));
      if (final) args.push_back(*final);
      return CallFunction(static_cast<const IdentifierNode&>(first).name, args);
    }
    if (cmd.args.size() > 1 || final) Fail("can't give argument to non-function");
    return EvalArg(first, dot);
  }

  static double ToFloat(const Value& v, bool& ok) {
    ok = true;
    switch (v.kind) {
      case Value::Kind::kFloat:
        return v.f;
      case Value::Kind::kInt:
        return static_cast<double>(v.i);
      case Value::Kind::kString: {
        char* end = nullptr;
        double d = std::strtod(v.s.c_str(), &end);
        ok = end != v.s.c_str() && *end == '\0';
        return d;
      }
      default:
        ok = false;
        return 0;
    }
  }

  double NumArg(const Value& v, const std::string& fn) {
    bool ok;
    double d = ToFloat(v, ok);
    if (!ok) Fail("error calling " + fn + ": can't convert to float");
    return d;
  }

  static bool Truth(const Value& v) {
    switch (v.kind) {
      case Value::Kind::kNil:
        return false;
      case Value::Kind::kString:
        return !v.s.empty();
      case Value::Kind::kFloat:
        return v.f != 0;
      case Value::Kind::kInt:
        return v.i != 0;
      case Value::Kind::kBool:
        return v.b;
      case Value::Kind::kLabels:
        return v.labels && !v.labels->empty();
    }
    return false;
  }

  int Compare(const Value& a, const Value& b, const std::string& fn) {
    if (a.kind == Value::Kind::kString && b.kind == Value::Kind::kString) {
      return a.s < b.s ? -1 : a.s > b.s ? 1 : 0;
    }
    if ((a.kind == Value::Kind::kInt || a.kind == Value::Kind::kFloat) &&
        (b.kind == Value::Kind::kInt || b.kind == Value::Kind::kFloat)) {
      if (a.kind != b.kind) Fail("error calling " + fn + ": incompatible types for comparison");
      double x = a.kind == Value::Kind::kInt ? a.i : a.f;
      double y = b.kind == Value::Kind::kInt ? b.i : b.f;
      return x < y ? -1 : x > y ? 1 : 0;
    }
    if (a.kind == Value::Kind::kBool && b.kind == Value::Kind::kBool &&
        (fn == "eq" || fn == "ne")) {
      return a.b == b.b ? 0 : 1;
    }
    Fail("error calling " + fn + ": incompatible types for comparison");
  }

  std::string Printf(const std::string& format, const std::vector<Value>& args) {
    std::string out;
    size_t ai = 0;
    for (size_t i = 0; i < format.size(); ++i) {
      char c = format[i];
      if (c != '%') {
        out += c;
        continue;
      }
      size_t j = i + 1;
      std::string spec = "%";
      while (j < format.size() &&
             std::string_view("+-# 0123456789.").find(format[j]) != std::string_view::npos) {
        spec += format[j++];
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
      char buf[512];
      switch (verb) {
        case 's':
        case 'v':
          if (verb == 'v' || a.kind == Value::Kind::kString) {
            std::snprintf(buf, sizeof buf, (spec + "s").c_str(), Print(a).c_str());
            out += buf;
          } else {
            out += "%!s(" + Print(a) + ")";
          }
          break;
        case 'd':
          if (a.kind == Value::Kind::kInt) {
            std::snprintf(buf, sizeof buf, (spec + "lld").c_str(), static_cast<long long>(a.i));
            out += buf;
          } else {
            out += "%!d(float64=" + Print(a) + ")";
          }
          break;
        case 'f':
        case 'F':
        case 'e':
        case 'E':
        case 'g':
        case 'G': {
          if (a.kind != Value::Kind::kFloat)
            Fail("printf: %" + std::string(1, verb) + " needs a float");
          std::snprintf(buf, sizeof buf, (spec + verb).c_str(), a.f);
          out += buf;
          break;
        }
        case 'q':
          out += "\"" + Print(a) + "\"";
          break;
        default:
          Fail(std::string("printf verb %") + verb + " not supported yet");
      }
    }
    if (ai < args.size()) Fail("printf: extra arguments not supported");
    return out;
  }

  Value CallFunction(const std::string& fn, const std::vector<Value>& args) {
    auto want = [&](size_t n) {
      if (args.size() != n) {
        Fail("wrong number of args for " + fn + ": want " + std::to_string(n) + " got " +
             std::to_string(args.size()));
      }
    };
    if (fn == "printf") {
      if (args.empty() || args[0].kind != Value::Kind::kString) Fail("printf needs a format");
      return Value::Str(Printf(args[0].s, {args.begin() + 1, args.end()}));
    }
    if (fn == "print") {
      std::string s;
      for (size_t i = 0; i < args.size(); ++i) {
        if (i > 0 && args[i].kind != Value::Kind::kString &&
            args[i - 1].kind != Value::Kind::kString) {
          s += ' ';
        }
        s += Print(args[i]);
      }
      return Value::Str(s);
    }
    if (fn == "humanize") {
      want(1);
      return Value::Str(Humanize(NumArg(args[0], fn)));
    }
    if (fn == "humanizePercentage") {
      want(1);
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.4g%%", NumArg(args[0], fn) * 100);
      return Value::Str(buf);
    }
    if (fn == "toUpper" || fn == "toLower" || fn == "title") {
      want(1);
      std::string s = Print(args[0]);
      bool start = true;
      for (char& c : s) {
        if (fn == "toUpper") c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        if (fn == "toLower") c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (fn == "title") {
          if (start) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
          start = !std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '\'';
        }
      }
      return Value::Str(s);
    }
    if (fn == "eq" || fn == "ne" || fn == "lt" || fn == "le" || fn == "gt" || fn == "ge") {
      if (args.size() < 2) Fail("missing argument for comparison");
      int c = Compare(args[0], args[1], fn);
      if (fn == "eq") {
        bool any = c == 0;
        for (size_t i = 2; i < args.size() && !any; ++i) any = Compare(args[0], args[i], fn) == 0;
        return Value::Bool(any);
      }
      want(2);
      if (fn == "ne") return Value::Bool(c != 0);
      if (fn == "lt") return Value::Bool(c < 0);
      if (fn == "le") return Value::Bool(c <= 0);
      if (fn == "gt") return Value::Bool(c > 0);
      return Value::Bool(c >= 0);
    }
    if (fn == "not") {
      want(1);
      return Value::Bool(!Truth(args[0]));
    }
    if (fn == "and" || fn == "or") {
      if (args.empty()) Fail("missing argument");
      for (size_t i = 0; i + 1 < args.size(); ++i) {
        if (Truth(args[i]) != (fn == "and")) return args[i];
      }
      return args.back();
    }
    if (fn == "len") {
      want(1);
      if (args[0].kind == Value::Kind::kString) return Value::Int(args[0].s.size());
      if (args[0].kind == Value::Kind::kLabels) {
        return Value::Int(args[0].labels ? args[0].labels->size() : 0);
      }
      Fail("len of unsupported type");
    }
    if (fn == "index") {
      want(2);
      if (args[0].kind != Value::Kind::kLabels) Fail("index of unsupported type");
      return Value::Str(args[0].labels ? std::string(args[0].labels->Get(Print(args[1]))) : "");
    }
    if (fn == "safeHtml") {
      want(1);
      return Value::Str(Print(args[0]));
    }
    if (fn == "stripPort") {
      want(1);
      std::string s = Print(args[0]);
      size_t colon = s.rfind(':');
      if (colon != std::string::npos && s.find(']') == std::string::npos && s.find(':') == colon) {
        s = s.substr(0, colon);
      }
      return Value::Str(s);
    }
    Fail("function \"" + fn + "\" not supported yet");
  }

  std::string Print(const Value& v) {
    switch (v.kind) {
      case Value::Kind::kNil:
        return "<no value>";
      case Value::Kind::kString:
        return v.s;
      case Value::Kind::kFloat:
        return GoFormatFloatV(v.f);
      case Value::Kind::kInt:
        return std::to_string(v.i);
      case Value::Kind::kBool:
        return v.b ? "true" : "false";
      case Value::Kind::kLabels: {
        std::string s = "map[";
        bool first = true;
        if (v.labels) {
          for (const auto& l : *v.labels) {
            if (!first) s += ' ';
            first = false;
            s += l.name + ":" + l.value;
          }
        }
        return s + "]";
      }
    }
    return "";
  }

  const Tree& tree_;
  const AlertTemplateData& data_;
  Value dot_;
  bool root_dot_ = true;
  std::vector<std::pair<std::string, Value>> vars_;
  std::string out_;
};

}  // namespace

std::string GoFormatFloatV(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == 0) return std::signbit(v) ? "-0" : "0";
  char buf[64];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string sci(buf, p);  // d.ddde[+-]XX
  size_t e = sci.find('e');
  std::string mant = sci.substr(0, e);
  int exp = std::stoi(sci.substr(e + 1));
  bool neg = mant[0] == '-';
  if (neg) mant = mant.substr(1);
  std::string digits;
  for (char c : mant) {
    if (c != '.') digits += c;
  }
  std::string out = neg ? "-" : "";
  if (exp < -4 || exp >= 6) {
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char eb[16];
    std::snprintf(eb, sizeof eb, "e%c%02d", exp < 0 ? '-' : '+', std::abs(exp));
    return out + eb;
  }
  if (exp < 0) {
    out += "0." + std::string(-exp - 1, '0') + digits;
  } else if (static_cast<size_t>(exp + 1) >= digits.size()) {
    out += digits + std::string(exp + 1 - digits.size(), '0');
  } else {
    out += digits.substr(0, exp + 1) + "." + digits.substr(exp + 1);
  }
  return out;
}

Result<std::string> Render(const Tree& tree, const AlertTemplateData& data) {
  try {
    return Renderer(tree, data).Run();
  } catch (const RenderError& e) {
    return InvalidArgument("template: " + tree.name + ": " + e.message);
  } catch (const Break&) {
    return InvalidArgument("template: " + tree.name + ": break outside range");
  } catch (const Continue&) {
    return InvalidArgument("template: " + tree.name + ": continue outside range");
  }
}

}  // namespace tocsin::rules::tmpl
