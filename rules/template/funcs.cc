#include "rules/template/funcs.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "agent/core/duration.h"
#include "agent/core/regex.h"
#include "agent/core/url_escape.h"
#include "rules/template/go_fmt.h"
#include "rules/template/html_escape.h"

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

Status WantAtLeastOne(const FuncCall& c) {
  if (!c.args.empty()) return Status::Ok();
  return InvalidArgument("wrong number of args for " + c.name + ": want at least 1 got 0");
}

// ---- Go text/template builtins ----

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

// eq takes any number of right-hand sides (true if any is equal); the others exactly one.
Result<Value> Eq(const FuncCall& c) {
  if (c.args.size() < 2) return c.Error("missing argument for comparison");
  for (size_t i = 1; i < c.args.size(); ++i) {
    TOCSIN_ASSIGN_OR_RETURN(int r, Compare(c.args[0], c.args[i], c.name));
    if (r == 0) return Value::Bool(true);
  }
  return Value::Bool(false);
}

Result<int> CompareTwo(const FuncCall& c) {
  if (c.args.size() < 2) return c.Error("missing argument for comparison");
  TOCSIN_RETURN_IF_ERROR(c.Want(2));
  return Compare(c.args[0], c.args[1], c.name);
}

Result<Value> Ne(const FuncCall& c) {
  TOCSIN_ASSIGN_OR_RETURN(int r, CompareTwo(c));
  return Value::Bool(r != 0);
}

Result<Value> Lt(const FuncCall& c) {
  TOCSIN_ASSIGN_OR_RETURN(int r, CompareTwo(c));
  return Value::Bool(r < 0);
}

Result<Value> Le(const FuncCall& c) {
  TOCSIN_ASSIGN_OR_RETURN(int r, CompareTwo(c));
  return Value::Bool(r <= 0);
}

Result<Value> Gt(const FuncCall& c) {
  TOCSIN_ASSIGN_OR_RETURN(int r, CompareTwo(c));
  return Value::Bool(r > 0);
}

Result<Value> Ge(const FuncCall& c) {
  TOCSIN_ASSIGN_OR_RETURN(int r, CompareTwo(c));
  return Value::Bool(r >= 0);
}

Result<Value> Not(const FuncCall& c) {
  TOCSIN_RETURN_IF_ERROR(c.Want(1));
  return Value::Bool(!c.args[0].Truth());
}

// The first argument whose truth decides (false for and, true for or), else the last.
Result<Value> AndOr(const FuncCall& c, bool is_and) {
  TOCSIN_RETURN_IF_ERROR(WantAtLeastOne(c));
  for (size_t i = 0; i + 1 < c.args.size(); ++i) {
    if (c.args[i].Truth() != is_and) return c.args[i];
  }
  return c.args.back();
}

Result<Value> And(const FuncCall& c) { return AndOr(c, true); }
Result<Value> Or(const FuncCall& c) { return AndOr(c, false); }

Result<Value> Len(const FuncCall& c) {
  TOCSIN_RETURN_IF_ERROR(c.Want(1));
  const Value& v = c.args[0];
  if (v.kind == Value::Kind::kString) return Value::Int(static_cast<int64_t>(v.s.size()));
  if (v.kind == Value::Kind::kLabels) return Value::Int(static_cast<int64_t>(v.labels->size()));
  if (v.kind == Value::Kind::kVector) return Value::Int(static_cast<int64_t>(v.vec->size()));
  if (v.kind == Value::Kind::kList) return Value::Int(static_cast<int64_t>(v.list->size()));
  return c.Error(std::string("len of type ") + v.GoType());
}

Result<Value> Index(const FuncCall& c) {
  TOCSIN_RETURN_IF_ERROR(WantAtLeastOne(c));
  Value v = c.args[0];
  for (size_t k = 1; k < c.args.size(); ++k) {
    const Value& key = c.args[k];
    if (v.kind == Value::Kind::kLabels) {
      if (key.kind != Value::Kind::kString) {
        return c.Error(std::string("value has type ") + key.GoType() + "; should be string");
      }
      v = Value::Str(std::string(v.labels->Get(key.s)));
    } else if (v.kind == Value::Kind::kVector) {
      if (key.kind != Value::Kind::kInt)
        return c.Error("cannot index slice/array with type " + std::string(key.GoType()));
      if (key.i < 0 || key.i >= static_cast<int64_t>(v.vec->size())) {
        // The doubled prefix is long-standing output; kept byte-for-byte.
        return c.Error("error calling index: index out of range: " + std::to_string(key.i));
      }
      v = Value::Sample((*v.vec)[key.i]);
    } else if (v.kind == Value::Kind::kList) {
      if (key.kind != Value::Kind::kInt)
        return c.Error("cannot index slice/array with type " + std::string(key.GoType()));
      if (key.i < 0 || key.i >= static_cast<int64_t>(v.list->size())) {
        return c.Error("index out of range: " + std::to_string(key.i));
      }
      v = (*v.list)[key.i];
    } else {
      return c.Error(std::string("can't index item of type ") + v.GoType());
    }
  }
  return v;
}

// fmt.Sprint puts spaces only between operands when neither is a string; Sprintln always.
std::string PrintArgs(const std::vector<Value>& args, bool always_space) {
  std::string s;
  for (size_t i = 0; i < args.size(); ++i) {
    bool both_non_string =
        i > 0 && args[i].kind != Value::Kind::kString && args[i - 1].kind != Value::Kind::kString;
    if (i > 0 && (always_space || both_non_string)) s += ' ';
    s += args[i].Print();
  }
  return s;
}

Result<Value> Print(const FuncCall& c) { return Value::Str(PrintArgs(c.args, false)); }
Result<Value> Println(const FuncCall& c) { return Value::Str(PrintArgs(c.args, true) + '\n'); }

Result<Value> Printf(const FuncCall& c) {
  TOCSIN_RETURN_IF_ERROR(WantAtLeastOne(c));
  TOCSIN_ASSIGN_OR_RETURN(std::string f, c.String(0));
  return Value::Str(GoSprintf(f, {c.args.begin() + 1, c.args.end()}));
}

// ---- Prometheus: number formatting ----

template <std::string (*Format)(double)>
Result<Value> HumanizeWith(const FuncCall& c) {
  TOCSIN_RETURN_IF_ERROR(c.Want(1));
  TOCSIN_ASSIGN_OR_RETURN(double v, c.Float(0));
  return Value::Str(Format(v));
}

Result<Value> ParseDurationFn(const FuncCall& c) {
  TOCSIN_RETURN_IF_ERROR(c.Want(1));
  TOCSIN_ASSIGN_OR_RETURN(std::string s, c.String(0));
  auto d = ParseDuration(s);
  if (!d.ok()) return c.Error(d.status().message());
  return Value::Float(static_cast<double>(d->count()) / 1000.0);
}

// ---- Prometheus: strings and regexes ----

Result<Value> ToUpper(const FuncCall& c) {
  TOCSIN_RETURN_IF_ERROR(c.Want(1));
  TOCSIN_ASSIGN_OR_RETURN(std::string s, c.String(0));
  for (char& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return Value::Str(s);
}

Result<Value> ToLower(const FuncCall& c) {
  TOCSIN_RETURN_IF_ERROR(c.Want(1));
  TOCSIN_ASSIGN_OR_RETURN(std::string s, c.String(0));
  for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return Value::Str(s);
}

Result<Value> Title(const FuncCall& c) {
  TOCSIN_RETURN_IF_ERROR(c.Want(1));
  TOCSIN_ASSIGN_OR_RETURN(std::string s, c.String(0));
  if (c.ctx.dialect == FuncDialect::kAlertmanager) {
    // cases.Title: each word's first letter upper-cased and the rest lower-cased; an
    // apostrophe inside a word ("don't") does not start a new one.
    bool start = true;
    for (size_t k = 0; k < s.size(); ++k) {
      auto u = static_cast<unsigned char>(s[k]);
      bool letter = u >= 0x80 || std::isalnum(u);
      if (letter) {
        if (u < 0x80) s[k] = static_cast<char>(start ? std::toupper(u) : std::tolower(u));
        start = false;
      } else if (!(s[k] == '\'' && !start && k + 1 < s.size() &&
                   std::isalpha(static_cast<unsigned char>(s[k + 1])))) {
        start = true;
      }
    }
    return Value::Str(s);
  }
  bool start = true;
  for (char& ch : s) {
    auto u = static_cast<unsigned char>(ch);
    if (start && std::isalpha(u)) ch = static_cast<char>(std::toupper(u));
    // strings.Title: ASCII letters, digits and '_' continue a word; other ASCII separates.
    start = u < 0x80 && !std::isalnum(u) && ch != '_';
  }
  return Value::Str(s);
}

Result<Value> Match(const FuncCall& c) {
  TOCSIN_RETURN_IF_ERROR(c.Want(2));
  TOCSIN_ASSIGN_OR_RETURN(std::string pattern, c.String(0));
  TOCSIN_ASSIGN_OR_RETURN(std::string text, c.String(1));
  auto re = Regex::Compile(pattern, Regex::Anchoring::kNone);
  if (!re.ok()) return c.Error(re.status().message());
  return Value::Bool(re->Matches(text));
}

Result<Value> ReReplaceAll(const FuncCall& c) {
  TOCSIN_RETURN_IF_ERROR(c.Want(3));
  TOCSIN_ASSIGN_OR_RETURN(std::string pattern, c.String(0));
  TOCSIN_ASSIGN_OR_RETURN(std::string repl, c.String(1));
  TOCSIN_ASSIGN_OR_RETURN(std::string text, c.String(2));
  auto re = Regex::Compile(pattern, Regex::Anchoring::kNone);
  if (!re.ok()) return c.Error(re.status().message());
  return Value::Str(re->ReplaceAll(text, repl));
}

Result<Value> StripPort(const FuncCall& c) {
  TOCSIN_RETURN_IF_ERROR(c.Want(1));
  TOCSIN_ASSIGN_OR_RETURN(std::string s, c.String(0));
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

Result<Value> StripDomain(const FuncCall& c) {
  TOCSIN_RETURN_IF_ERROR(c.Want(1));
  TOCSIN_ASSIGN_OR_RETURN(std::string s, c.String(0));
  std::string host = s, port;
  size_t colon = s.rfind(':');
  if (colon != std::string::npos && s.find(':') == colon) {
    host = s.substr(0, colon);
    port = s.substr(colon);
  }
  bool is_ip = !host.empty() && std::all_of(host.begin(), host.end(), [](char ch) {
    return std::isdigit(static_cast<unsigned char>(ch)) || ch == '.';
  });
  if (!is_ip) host = host.substr(0, host.find('.'));
  return Value::Str(host + port);
}

// Go's html/template.HTML marks a string safe; in text output it is the string itself.
Result<Value> SafeHtml(const FuncCall& c) {
  TOCSIN_RETURN_IF_ERROR(c.Want(1));
  TOCSIN_ASSIGN_OR_RETURN(std::string s, c.String(0));
  Value out = Value::Str(s);
  out.type_name = Value::kHtmlType;
  return out;
}

Result<Value> UrlQueryEscapeFn(const FuncCall& c) {
  TOCSIN_RETURN_IF_ERROR(c.Want(1));
  TOCSIN_ASSIGN_OR_RETURN(std::string s, c.String(0));
  return Value::Str(UrlQueryEscape(s));
}

// Go's evalArgs for html/urlquery/js: a lone string as is, anything else through fmt.Sprint.
std::string EscaperInput(const FuncCall& c) {
  if (c.args.size() == 1 && c.args[0].kind == Value::Kind::kString) return c.args[0].s;
  return PrintArgs(c.args, false);
}

Result<Value> UrlQuery(const FuncCall& c) { return Value::Str(UrlQueryEscape(EscaperInput(c))); }

// template.HTMLEscapeString.
Result<Value> HtmlEscape(const FuncCall& c) {
  return Value::Str(HtmlEscapeString(EscaperInput(c)));
}

// ---- Alertmanager: string slices ----

// join(sep, []string): strings.Join with the arguments swapped for piping.
Result<Value> Join(const FuncCall& c) {
  TOCSIN_RETURN_IF_ERROR(c.Want(2));
  TOCSIN_ASSIGN_OR_RETURN(std::string sep, c.String(0));
  const Value& list = c.args[1];
  if (list.kind != Value::Kind::kList || !list.HasType(Value::kStringSliceType)) {
    return c.Error(std::string("wrong type for value; expected []string; got ") + list.GoType());
  }
  std::string out;
  for (size_t k = 0; k < list.list->size(); ++k) {
    if (k > 0) out += sep;
    out += (*list.list)[k].s;
  }
  return Value::Str(out);
}

Result<Value> StringSlice(const FuncCall& c) {
  std::vector<std::string> items;
  for (size_t k = 0; k < c.args.size(); ++k) {
    TOCSIN_ASSIGN_OR_RETURN(std::string s, c.String(k));
    items.push_back(std::move(s));
  }
  return Value::StringList(items);
}

// ---- Prometheus: queries, samples and labels ----

Result<Value> Query(const FuncCall& c) {
  TOCSIN_RETURN_IF_ERROR(c.Want(1));
  TOCSIN_ASSIGN_OR_RETURN(std::string expr, c.String(0));
  if (!c.ctx.query) return c.Error("queries are not available here");
  auto r = c.ctx.query(expr, c.ctx.eval_time);
  if (!r.ok()) return c.Error(r.status().message());
  return Value::Vector(std::move(r).value());
}

Result<Value> First(const FuncCall& c) {
  TOCSIN_RETURN_IF_ERROR(c.Want(1));
  const Value& v = c.args[0];
  if (v.kind != Value::Kind::kVector) {
    return c.Error(std::string("wrong type for value; expected template.queryResult; got ") +
                   v.GoType());
  }
  if (v.vec->empty()) return c.Error("first() called on vector with no elements");
  return Value::Sample(v.vec->front());
}

// label/value/strvalue take the sample last (it is usually piped in).
Result<const TemplateSample*> SampleArg(const FuncCall& c, size_t want) {
  TOCSIN_RETURN_IF_ERROR(c.Want(want));
  const Value& s = c.args.back();
  if (s.kind != Value::Kind::kSample) {
    return c.Error(std::string("wrong type for value; expected *template.sample; got ") +
                   s.GoType());
  }
  return s.sample.get();
}

Result<Value> LabelFn(const FuncCall& c) {
  TOCSIN_ASSIGN_OR_RETURN(const TemplateSample* s, SampleArg(c, 2));
  TOCSIN_ASSIGN_OR_RETURN(std::string name, c.String(0));
  return Value::Str(std::string(s->labels.Get(name)));
}

Result<Value> ValueFn(const FuncCall& c) {
  TOCSIN_ASSIGN_OR_RETURN(const TemplateSample* s, SampleArg(c, 1));
  return Value::Float(s->value);
}

Result<Value> StrValue(const FuncCall& c) {
  TOCSIN_ASSIGN_OR_RETURN(const TemplateSample* s, SampleArg(c, 1));
  return Value::Str(std::string(s->labels.Get("__value__")));
}

Result<Value> SortByLabel(const FuncCall& c) {
  TOCSIN_RETURN_IF_ERROR(c.Want(2));
  TOCSIN_ASSIGN_OR_RETURN(std::string name, c.String(0));
  if (c.args[1].kind != Value::Kind::kVector) return c.Error("expected a query result");
  std::vector<TemplateSample> v = *c.args[1].vec;
  std::stable_sort(v.begin(), v.end(), [&](const TemplateSample& a, const TemplateSample& b) {
    return a.labels.Get(name) < b.labels.Get(name);
  });
  return Value::Vector(std::move(v));
}

Result<Value> Now(const FuncCall& c) {
  TOCSIN_RETURN_IF_ERROR(c.Want(0));
  return Value::Float(static_cast<double>(c.ctx.eval_time) / 1000.0);
}

Result<Value> ExternalUrl(const FuncCall& c) {
  TOCSIN_RETURN_IF_ERROR(c.Want(0));
  return Value::Str(c.ctx.external_url);
}

// ---- The table ----

constexpr FuncSet kB = FuncSet::kBuiltin;
constexpr FuncSet kP = FuncSet::kPrometheus;
constexpr FuncSet kA = FuncSet::kAlertmanagerOnly;

// Sorted by name (byte order) for the binary search; checked below. A null implementation is
// accepted by the parser but fails at render time with `function "x" not supported`.
constexpr std::array kFunctions = {
    TemplateFunction{"and", kB, &And, true},
    TemplateFunction{"args", kP, nullptr, false},
    TemplateFunction{"call", kB, nullptr, true},
    TemplateFunction{"eq", kB, &Eq, true},
    TemplateFunction{"externalURL", kP, &ExternalUrl, false},
    TemplateFunction{"first", kP, &First, false},
    TemplateFunction{"ge", kB, &Ge, true},
    TemplateFunction{"graphLink", kP, nullptr, false},
    TemplateFunction{"gt", kB, &Gt, true},
    TemplateFunction{"html", kB, &HtmlEscape, true},
    TemplateFunction{"humanize", kP, &HumanizeWith<Humanize>, false},
    TemplateFunction{"humanize1024", kP, &HumanizeWith<Humanize1024>, false},
    TemplateFunction{"humanizeDuration", kP, &HumanizeWith<HumanizeDuration>, false},
    TemplateFunction{"humanizePercentage", kP, &HumanizeWith<HumanizePercentage>, false},
    TemplateFunction{"humanizeTimestamp", kP, &HumanizeWith<HumanizeTimestamp>, false},
    TemplateFunction{"index", kB, &Index, true},
    TemplateFunction{"join", kA, &Join, true},
    TemplateFunction{"js", kB, nullptr, true},
    TemplateFunction{"label", kP, &LabelFn, false},
    TemplateFunction{"le", kB, &Le, true},
    TemplateFunction{"len", kB, &Len, true},
    TemplateFunction{"lt", kB, &Lt, true},
    TemplateFunction{"match", kP, &Match, true},
    TemplateFunction{"ne", kB, &Ne, true},
    TemplateFunction{"not", kB, &Not, true},
    TemplateFunction{"now", kP, &Now, false},
    TemplateFunction{"or", kB, &Or, true},
    TemplateFunction{"parseDuration", kP, &ParseDurationFn, false},
    TemplateFunction{"pathPrefix", kP, nullptr, false},
    TemplateFunction{"print", kB, &Print, true},
    TemplateFunction{"printf", kB, &Printf, true},
    TemplateFunction{"println", kB, &Println, true},
    TemplateFunction{"query", kP, &Query, false},
    TemplateFunction{"reReplaceAll", kP, &ReReplaceAll, true},
    TemplateFunction{"safeHtml", kP, &SafeHtml, true},
    TemplateFunction{"slice", kB, nullptr, true},
    TemplateFunction{"sortByLabel", kP, &SortByLabel, false},
    TemplateFunction{"stringSlice", kA, &StringSlice, true},
    TemplateFunction{"stripDomain", kP, &StripDomain, false},
    TemplateFunction{"stripPort", kP, &StripPort, false},
    TemplateFunction{"strvalue", kP, &StrValue, false},
    TemplateFunction{"tableLink", kP, nullptr, false},
    TemplateFunction{"title", kP, &Title, true},
    // Prometheus registers `tmpl` for console templates only; alert templates reject it.
    TemplateFunction{"tmpl", FuncSet::kConsoleOnly, nullptr, false},
    TemplateFunction{"toDuration", kP, nullptr, false},
    TemplateFunction{"toLower", kP, &ToLower, true},
    TemplateFunction{"toTime", kP, nullptr, false},
    TemplateFunction{"toUpper", kP, &ToUpper, true},
    TemplateFunction{"urlQueryEscape", kP, &UrlQueryEscapeFn, false},
    TemplateFunction{"urlquery", kB, &UrlQuery, true},
    TemplateFunction{"value", kP, &ValueFn, false},
};

constexpr bool StrictlySorted() {
  for (size_t i = 1; i < kFunctions.size(); ++i) {
    if (!(kFunctions[i - 1].name < kFunctions[i].name)) return false;
  }
  return true;
}
static_assert(StrictlySorted(), "kFunctions must be sorted by name without duplicates");

bool InSet(std::string_view name, FuncSet set) {
  const TemplateFunction* f = FindTemplateFunction(name);
  return f != nullptr && f->set == set;
}

}  // namespace

Status FuncCall::Want(size_t n) const {
  if (args.size() == n) return Status::Ok();
  return InvalidArgument("wrong number of args for " + name + ": want " + std::to_string(n) +
                         " got " + std::to_string(args.size()));
}

Status FuncCall::Error(const std::string& msg) const { return CallError(name, msg); }

Result<std::string> FuncCall::String(size_t i) const {
  const Value& v = args[i];
  if (v.kind != Value::Kind::kString) {
    return Error(std::string("wrong type for value; expected string; got ") + v.GoType());
  }
  return v.s;
}

Result<double> FuncCall::Float(size_t i) const {
  auto d = ToFloat(args[i]);
  if (!d.ok()) return Error(d.status().message());
  return *d;
}

std::span<const TemplateFunction> TemplateFunctions() { return kFunctions; }

const TemplateFunction* FindTemplateFunction(std::string_view name) {
  auto it =
      std::lower_bound(kFunctions.begin(), kFunctions.end(), name,
                       [](const TemplateFunction& f, std::string_view n) { return f.name < n; });
  if (it == kFunctions.end() || it->name != name) return nullptr;
  return &*it;
}

bool IsBuiltinFunction(std::string_view name) { return InSet(name, FuncSet::kBuiltin); }
bool IsPrometheusFunction(std::string_view name) { return InSet(name, FuncSet::kPrometheus); }

bool IsTemplateFunction(std::string_view name, FuncDialect dialect) {
  const TemplateFunction* f = FindTemplateFunction(name);
  if (f == nullptr) return false;
  if (dialect == FuncDialect::kAlertmanager) return f->alertmanager;
  return f->set == FuncSet::kBuiltin || f->set == FuncSet::kPrometheus;
}

Result<Value> CallTemplateFunction(const std::string& name, const std::vector<Value>& args,
                                   const FuncContext& ctx) {
  const TemplateFunction* f = FindTemplateFunction(name);
  if (f == nullptr || f->fn == nullptr) {
    return InvalidArgument("function \"" + name + "\" not supported");
  }
  return f->fn(FuncCall{name, args, ctx});
}

}  // namespace tocsin::rules::tmpl
