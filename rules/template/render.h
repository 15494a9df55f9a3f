// Template executor: runs a parsed alert template (ast.h) the way Go's text/template executes
// Prometheus's alert templates (Option("missingkey=zero")), with the data Prometheus gives them:
// $labels/.Labels, $externalLabels/.ExternalLabels, $externalURL/.ExternalURL, $value/.Value,
// and the functions of funcs.h (including `query`, run through an injected function).
//
// Errors come back as a Status whose message follows Go's shape
// ("template: __alert_X:1: executing \"__alert_X\": error calling first: ..."); callers render
// them as "<error expanding template: ...>" as Prometheus does.
//
// Render() is a pure function of its inputs (plus what `query` reads); thread-safe.
#pragma once

#include <string>

#include "agent/core/clock.h"
#include "agent/core/labels.h"
#include "agent/core/status.h"
#include "rules/template/ast.h"
#include "rules/template/funcs.h"

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

// Go's fmt %v for a float64 (see agent/core/go_format.h FormatGoFloatG).
std::string GoFormatFloatV(double v);

}  // namespace tocsin::rules::tmpl
