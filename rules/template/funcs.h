// The functions an alert template may call: Go text/template's builtins (and, or, not, len,
// index, print, printf, eq/ne/lt/le/gt/ge, ...) and Prometheus's alert funcMap
// (P:template/template.go: query, first, label, value, humanize*, toUpper, reReplaceAll, ...).
//
// `and`/`or` are evaluated eagerly here (all arguments computed), which only differs from Go
// 1.18+ when a later argument would fail. Pure functions over their context; thread-safe.
#pragma once

#include <functional>
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

struct FuncContext {
  TemplateQueryFn query;  // unset: `query` fails
  TimestampMs eval_time = 0;
  std::string external_url;
};

// Calls `name` with `args` (the piped value, if any, is the last argument). Errors carry Go's
// text ("error calling humanize: ...", "wrong number of args for x: want 1 got 2").
Result<Value> CallTemplateFunction(const std::string& name, const std::vector<Value>& args,
                                   const FuncContext& ctx);

}  // namespace tocsin::rules::tmpl
