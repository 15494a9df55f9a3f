// The functions an alert template may call, as ONE table of name → set → implementation (in
// funcs.cc): Go text/template's builtins (and, or, not, len, index, print, printf, eq/ne/lt/
// le/gt/ge, ...), Prometheus's alert funcMap (P:template/template.go: query, first, label,
// value, humanize*, toUpper, reReplaceAll, ...) and the console-only names the parser must
// still reject. The parser's `function "x" not defined` check and the renderer's calls both
// read that table, so adding a function is one entry there.
//
// `and`/`or` are evaluated eagerly here (all arguments computed), which only differs from Go
// 1.18+ when a later argument would fail. The table is compile-time constant data and the
// functions are pure over their context; everything here is thread-safe.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "agent/core/clock.h"
#include "agent/core/status.h"
#include "rules/template/value.h"

namespace tocsin::rules::tmpl {

// Runs an instant PromQL query at the evaluation time; the template `query` function.
using TemplateQueryFn =
    std::function<Result<std::vector<TemplateSample>>(const std::string& expr, TimestampMs t)>;

// Whose template this is: Prometheus's alert templates and Alertmanager's notification
// templates have different function sets (and `title` differs: strings.Title there,
// cases.Title here).
enum class FuncDialect { kPrometheus, kAlertmanager };

struct FuncContext {
  FuncDialect dialect = FuncDialect::kPrometheus;
  TemplateQueryFn query;  // unset: `query` fails
  TimestampMs eval_time = 0;
  std::string external_url;
};

// One call's inputs, with the argument checks the functions share. The name is passed because
// Go's error texts carry it and several names share one implementation. Borrows everything;
// lives for the duration of one call.
struct FuncCall {
  const std::string& name;
  const std::vector<Value>& args;  // the piped value, if any, is the last
  const FuncContext& ctx;

  // "wrong number of args for <name>: want n got m" unless there are exactly n.
  Status Want(size_t n) const;
  // "error calling <name>: msg".
  Status Error(const std::string& msg) const;
  // args[i] as a string; a non-string is "wrong type for value; expected string; got T".
  Result<std::string> String(size_t i) const;
  // args[i] through Prometheus's ConvertToFloat.
  Result<double> Float(size_t i) const;
};

using TemplateFn = Result<Value> (*)(const FuncCall& call);

enum class FuncSet {
  kBuiltin,           // Go 1.19 text/template builtins
  kPrometheus,        // Prometheus's alert-template funcMap (2.x and 3.x)
  kConsoleOnly,       // console templates only: listed so the parser rejects it as Prometheus does
  kAlertmanagerOnly,  // Alertmanager 0.25's DefaultFuncs that Prometheus lacks (join, ...)
};

struct TemplateFunction {
  std::string_view name;
  FuncSet set;
  // Null: accepted by the parser (Prometheus has it) but not implemented here, so a render
  // that calls it fails with `function "x" not supported`. The renderer evaluates no function
  // itself today; one it must (e.g. a short-circuiting and/or) would also be null here and be
  // intercepted in render.cc.
  TemplateFn fn;
  // Also in Alertmanager 0.25's DefaultFuncs (template/template.go); builtins always are.
  bool alertmanager;
};

// The whole table, sorted by name.
std::span<const TemplateFunction> TemplateFunctions();
// The entry for `name`, or null.
const TemplateFunction* FindTemplateFunction(std::string_view name);

bool IsBuiltinFunction(std::string_view name);     // and, or, not, len, index, printf, eq, ...
bool IsPrometheusFunction(std::string_view name);  // query, humanize, toUpper, ...
// What the parser accepts: builtins and the dialect's funcMap (Prometheus: not the
// console-only names).
bool IsTemplateFunction(std::string_view name, FuncDialect dialect = FuncDialect::kPrometheus);

// Calls `name` with `args` (the piped value, if any, is the last argument). Errors carry Go's
// text ("error calling humanize: ...", "wrong number of args for x: want 1 got 2"); a name with
// no implementation is `function "x" not supported`.
Result<Value> CallTemplateFunction(const std::string& name, const std::vector<Value>& args,
                                   const FuncContext& ctx);

}  // namespace tocsin::rules::tmpl
