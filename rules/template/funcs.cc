#include "rules/template/funcs.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "agent/core/duration.h"
#include "agent/core/regex.h"
#include "agent/core/url_escape.h"
#include "rules/template/go_fmt.h"

#define TMPL_CONCAT_(a, b) a##b
#define TMPL_CONCAT(a, b) TMPL_CONCAT_(a, b)
// decl = value of a Result, or return its Status.
#define TOCSIN_ASSIGN_OR_RETURN(decl, expr)         \
  auto TMPL_CONCAT(result_, __LINE__) = (expr);     \
  if (!TMPL_CONCAT(result_, __LINE__).ok()) {       \
    return TMPL_CONCAT(result_, __LINE__).status(); \
  }                                                 \
  decl = std::move(TMPL_CONCAT(result_, __LINE__)).value()

namespace tocsin::rules::tmpl {
namespace {

Status CallError(const std::string& fn, const std::string& msg) {
  return InvalidArgument("error calling " + fn + ": " + msg);
}

// Go's basic-kind comparison (text/template's eq/lt): same kinds only; ints and floats don't mix.
Result<int> Compare(const Value& a, const Value& b, const std::string& fn) {
  using K = Value::Kind;
  if (a.kind == K::kString && b.kind == K::kString) return a.s < b.s ? -1 : a.s > b.s ? 1 : 0;
  if (a.kind == K::kInt && b.kind == K::kInt) return a.i < b.i ? -1 : a.i > b.i ? 1 : 0;
  if (a.kind == K::kFloat && b.kind == K::kFloat) return a.f < b.f ? -1 : a.f > b.f ? 1 : 0;
  if (a.kind == K::kBool && b.kind == K::kBool) {
    if (fn != "eq" && fn != "ne") return CallError(fn, "invalid type for comparison");
    return a.b == b.b ? 0 : 1;
  }
  bool basic = [](const Value& v) {
    return v.kind == K::kString || v.is_number() || v.kind == K::kBool;
  }(a);
  if (!basic) return CallError(fn, "invalid type for comparison");
  return CallError(fn, "incompatible types for comparison");
}

Result<std::string> StringArg(const Value& v, const std::string& fn) {
  if (v.kind != Value::Kind::kString) {
    return CallError(fn, std::string("wrong type for value; expected string; got ") + v.GoType());
  }
  return v.s;
}

std::string Title(std::string s) {
  bool start = true;
  for (char& c : s) {
    auto u = static_cast<unsigned char>(c);
    if (start && std::isalpha(u)) c = static_cast<char>(std::toupper(u));
    // strings.Title: ASCII letters, digits and '_' continue a word; other ASCII separates.
    start = u < 0x80 && !std::isalnum(u) && c != '_';
  }
  return s;
}

}  // namespace

Result<Value> CallTemplateFunction(const std::string& fn, const std::vector<Value>& args,
                                   const FuncContext& ctx) {
  auto want = [&](size_t n) -> Status {
    if (args.size() != n) {
      return InvalidArgument("wrong number of args for " + fn + ": want " + std::to_string(n) +
                             " got " + std::to_string(args.size()));
    }
    return Status::Ok();
  };
  auto num = [&](const Value& v) -> Result<double> {
    auto d = ToFloat(v);
    if (!d.ok()) return CallError(fn, d.status().message());
    return *d;
  };

  if (fn == "printf") {
    if (args.empty())
      return InvalidArgument("wrong number of args for printf: want at least 1 got 0");
    TOCSIN_ASSIGN_OR_RETURN(std::string f, StringArg(args[0], fn));
    return Value::Str(GoSprintf(f, {args.begin() + 1, args.end()}));
  }
  if (fn == "print" || fn == "println") {
    std::string s;
    for (size_t i = 0; i < args.size(); ++i) {
      bool both_non_string =
          i > 0 && args[i].kind != Value::Kind::kString && args[i - 1].kind != Value::Kind::kString;
      if (i > 0 && (fn == "println" || both_non_string)) s += ' ';
      s += args[i].Print();
    }
    if (fn == "println") s += '\n';
    return Value::Str(s);
  }
  if (fn == "humanize" || fn == "humanize1024" || fn == "humanizeDuration" ||
      fn == "humanizePercentage" || fn == "humanizeTimestamp") {
    TOCSIN_RETURN_IF_ERROR(want(1));
    TOCSIN_ASSIGN_OR_RETURN(double v, num(args[0]));
    if (fn == "humanize") return Value::Str(Humanize(v));
    if (fn == "humanize1024") return Value::Str(Humanize1024(v));
    if (fn == "humanizeDuration") return Value::Str(HumanizeDuration(v));
    if (fn == "humanizePercentage") return Value::Str(HumanizePercentage(v));
    return Value::Str(HumanizeTimestamp(v));
  }
  if (fn == "toUpper" || fn == "toLower" || fn == "title") {
    TOCSIN_RETURN_IF_ERROR(want(1));
    TOCSIN_ASSIGN_OR_RETURN(std::string s, StringArg(args[0], fn));
    if (fn == "title") return Value::Str(Title(s));
    for (char& c : s) {
      auto u = static_cast<unsigned char>(c);
      c = static_cast<char>(fn == "toUpper" ? std::toupper(u) : std::tolower(u));
    }
    return Value::Str(s);
  }
  if (fn == "match") {
    TOCSIN_RETURN_IF_ERROR(want(2));
    TOCSIN_ASSIGN_OR_RETURN(std::string pattern, StringArg(args[0], fn));
    TOCSIN_ASSIGN_OR_RETURN(std::string text, StringArg(args[1], fn));
    auto re = Regex::Compile(pattern, Regex::Anchoring::kNone);
    if (!re.ok()) return CallError(fn, re.status().message());
    return Value::Bool(re->Matches(text));
  }
  if (fn == "reReplaceAll") {
    TOCSIN_RETURN_IF_ERROR(want(3));
    TOCSIN_ASSIGN_OR_RETURN(std::string pattern, StringArg(args[0], fn));
    TOCSIN_ASSIGN_OR_RETURN(std::string repl, StringArg(args[1], fn));
    TOCSIN_ASSIGN_OR_RETURN(std::string text, StringArg(args[2], fn));
    auto re = Regex::Compile(pattern, Regex::Anchoring::kNone);
    if (!re.ok()) return CallError(fn, re.status().message());
    return Value::Str(re->ReplaceAll(text, repl));
  }
  if (fn == "stripPort") {
    TOCSIN_RETURN_IF_ERROR(want(1));
    TOCSIN_ASSIGN_OR_RETURN(std::string s, StringArg(args[0], fn));
    // net.SplitHostPort; on error the input is returned unchanged.
    if (!s.empty() && s[0] == '[') {
      size_t close = s.find("]:");
      if (close != std::string::npos) return Value::Str(s.substr(1, close - 1));
      return Value::Str(s);
    }
    size_t colon = s.rfind(':');
    if (colon != std::string::npos && s.find(':') == colon) return Value::Str(s.substr(0, colon));
    return Value::Str(s);
  }
  if (fn == "stripDomain") {
    TOCSIN_RETURN_IF_ERROR(want(1));
    TOCSIN_ASSIGN_OR_RETURN(std::string s, StringArg(args[0], fn));
    std::string host = s, port;
    size_t colon = s.rfind(':');
    if (colon != std::string::npos && s.find(':') == colon) {
      host = s.substr(0, colon);
      port = s.substr(colon);
    }
    bool is_ip = !host.empty() && std::all_of(host.begin(), host.end(), [](char c) {
      return std::isdigit(static_cast<unsigned char>(c)) || c == '.';
    });
    if (!is_ip) host = host.substr(0, host.find('.'));
    return Value::Str(host + port);
  }
  if (fn == "safeHtml" || fn == "urlQueryEscape") {
    TOCSIN_RETURN_IF_ERROR(want(1));
    TOCSIN_ASSIGN_OR_RETURN(std::string s, StringArg(args[0], fn));
    return Value::Str(fn == "safeHtml" ? s : UrlQueryEscape(s));
  }
  if (fn == "eq" || fn == "ne" || fn == "lt" || fn == "le" || fn == "gt" || fn == "ge") {
    if (args.size() < 2) return CallError(fn, "missing argument for comparison");
    if (fn == "eq") {
      for (size_t i = 1; i < args.size(); ++i) {
        TOCSIN_ASSIGN_OR_RETURN(int c, Compare(args[0], args[i], fn));
        if (c == 0) return Value::Bool(true);
      }
      return Value::Bool(false);
    }
    TOCSIN_RETURN_IF_ERROR(want(2));
    TOCSIN_ASSIGN_OR_RETURN(int c, Compare(args[0], args[1], fn));
    if (fn == "ne") return Value::Bool(c != 0);
    if (fn == "lt") return Value::Bool(c < 0);
    if (fn == "le") return Value::Bool(c <= 0);
    if (fn == "gt") return Value::Bool(c > 0);
    return Value::Bool(c >= 0);
  }
  if (fn == "not") {
    TOCSIN_RETURN_IF_ERROR(want(1));
    return Value::Bool(!args[0].Truth());
  }
  if (fn == "and" || fn == "or") {
    if (args.empty())
      return InvalidArgument("wrong number of args for " + fn + ": want at least 1 got 0");
    for (size_t i = 0; i + 1 < args.size(); ++i) {
      if (args[i].Truth() != (fn == "and")) return args[i];
    }
    return args.back();
  }
  if (fn == "len") {
    TOCSIN_RETURN_IF_ERROR(want(1));
    const Value& v = args[0];
    if (v.kind == Value::Kind::kString) return Value::Int(static_cast<int64_t>(v.s.size()));
    if (v.kind == Value::Kind::kLabels) return Value::Int(static_cast<int64_t>(v.labels->size()));
    if (v.kind == Value::Kind::kVector) return Value::Int(static_cast<int64_t>(v.vec->size()));
    return CallError(fn, std::string("len of type ") + v.GoType());
  }
  if (fn == "index") {
    if (args.empty())
      return InvalidArgument("wrong number of args for index: want at least 1 got 0");
    Value v = args[0];
    for (size_t k = 1; k < args.size(); ++k) {
      const Value& key = args[k];
      if (v.kind == Value::Kind::kLabels) {
        if (key.kind != Value::Kind::kString) {
          return CallError(fn,
                           std::string("value has type ") + key.GoType() + "; should be string");
        }
        v = Value::Str(std::string(v.labels->Get(key.s)));
      } else if (v.kind == Value::Kind::kVector) {
        if (key.kind != Value::Kind::kInt)
          return CallError(fn, "cannot index slice/array with type " + std::string(key.GoType()));
        if (key.i < 0 || key.i >= static_cast<int64_t>(v.vec->size())) {
          return CallError(fn, "error calling index: index out of range: " + std::to_string(key.i));
        }
        v = Value::Sample((*v.vec)[key.i]);
      } else {
        return CallError(fn, std::string("can't index item of type ") + v.GoType());
      }
    }
    return v;
  }
  // Query functions.
  if (fn == "query") {
    TOCSIN_RETURN_IF_ERROR(want(1));
    TOCSIN_ASSIGN_OR_RETURN(std::string expr, StringArg(args[0], fn));
    if (!ctx.query) return CallError(fn, "queries are not available here");
    auto r = ctx.query(expr, ctx.eval_time);
    if (!r.ok()) return CallError(fn, r.status().message());
    return Value::Vector(std::move(r).value());
  }
  if (fn == "first") {
    TOCSIN_RETURN_IF_ERROR(want(1));
    if (args[0].kind != Value::Kind::kVector) {
      return CallError(fn,
                       std::string("wrong type for value; expected template.queryResult; got ") +
                           args[0].GoType());
    }
    if (args[0].vec->empty()) return CallError(fn, "first() called on vector with no elements");
    return Value::Sample(args[0].vec->front());
  }
  if (fn == "label" || fn == "value" || fn == "strvalue") {
    TOCSIN_RETURN_IF_ERROR(want(fn == "label" ? 2 : 1));
    const Value& s = args.back();
    if (s.kind != Value::Kind::kSample) {
      return CallError(
          fn, std::string("wrong type for value; expected *template.sample; got ") + s.GoType());
    }
    if (fn == "value") return Value::Float(s.sample->value);
    if (fn == "strvalue") return Value::Str(std::string(s.sample->labels.Get("__value__")));
    TOCSIN_ASSIGN_OR_RETURN(std::string name, StringArg(args[0], fn));
    return Value::Str(std::string(s.sample->labels.Get(name)));
  }
  if (fn == "sortByLabel") {
    TOCSIN_RETURN_IF_ERROR(want(2));
    TOCSIN_ASSIGN_OR_RETURN(std::string name, StringArg(args[0], fn));
    if (args[1].kind != Value::Kind::kVector) return CallError(fn, "expected a query result");
    std::vector<TemplateSample> v = *args[1].vec;
    std::stable_sort(v.begin(), v.end(), [&](const TemplateSample& a, const TemplateSample& b) {
      return a.labels.Get(name) < b.labels.Get(name);
    });
    return Value::Vector(std::move(v));
  }
  if (fn == "now") {
    TOCSIN_RETURN_IF_ERROR(want(0));
    return Value::Float(static_cast<double>(ctx.eval_time) / 1000.0);
  }
  if (fn == "externalURL") {
    TOCSIN_RETURN_IF_ERROR(want(0));
    return Value::Str(ctx.external_url);
  }
  if (fn == "parseDuration") {
    TOCSIN_RETURN_IF_ERROR(want(1));
    TOCSIN_ASSIGN_OR_RETURN(std::string s, StringArg(args[0], fn));
    auto d = ParseDuration(s);
    if (!d.ok()) return CallError(fn, d.status().message());
    return Value::Float(static_cast<double>(d->count()) / 1000.0);
  }
  return InvalidArgument("function \"" + fn + "\" not supported");
}

}  // namespace tocsin::rules::tmpl
