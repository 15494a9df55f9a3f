// Template executor: runs a parsed template (ast.h) the way Go's text/template executes it
// (Option("missingkey=zero")). Render() gives it the data Prometheus gives alert templates:
// $labels/.Labels, $externalLabels/.ExternalLabels, $externalURL/.ExternalURL, $value/.Value,
// and the functions of funcs.h (including `query`, run through an injected function).
// Execute() runs it on any data, e.g. Alertmanager's notification data (notifiers/template),
// with methods (methods.h) and templates defined in other files.
//
// Errors come back as a Status whose message follows Go's shape
// ("template: __alert_X:1: executing \"__alert_X\": error calling first: ..."); callers render
// them as "<error expanding template: ...>" as Prometheus does.
//
// Render() and Execute() are pure functions of their inputs (plus what `query` reads);
// thread-safe.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "agent/core/clock.h"
#include "agent/core/labels.h"
#include "agent/core/status.h"
#include "rules/template/ast.h"
#include "rules/template/funcs.h"
#include "rules/template/value.h"

namespace tocsin::rules::tmpl {

struct AlertTemplateData {
  const Labels* labels = nullptr;           // $labels / .Labels
  const Labels* external_labels = nullptr;  // $externalLabels / .ExternalLabels
  std::string external_url;                 // $externalURL / .ExternalURL
  double value = 0;                         // $value / .Value
  TimestampMs eval_time = 0;                // `query` runs at this time; `now` returns it
  TemplateQueryFn query;                    // unset: `query` fails
};

Result<std::string> Render(const Tree& tree, const AlertTemplateData& data);

// Parsed {{define}}s shared between templates (immutable once built, so shared freely).
using SharedDefines = std::map<std::string, std::shared_ptr<const ListNode>, std::less<>>;

// The general form: what a template runs on. Borrows everything it points to.
struct ExecInput {
  Value data;                                       // dot, and $
  std::vector<std::pair<std::string, Value>> vars;  // other variables in scope at the top
  FuncContext ctx;
  // Templates defined outside `tree` that {{template "x"}} may call (Alertmanager's template
  // files and default set); a definition in `tree` itself wins.
  const SharedDefines* shared_defines = nullptr;
  // Go's html/template instead of text/template: actions are escaped for their HTML context
  // (html_escape.h), as Alertmanager's ExecuteHTMLString does for email bodies.
  bool escape_html = false;
};

Result<std::string> Execute(const Tree& tree, const ExecInput& in);

// Go's fmt %v for a float64 (see agent/core/go_format.h FormatGoFloatG).
std::string GoFormatFloatV(double v);

}  // namespace tocsin::rules::tmpl
