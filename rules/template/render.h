// Minimal evaluator for parsed alert templates (ast.h): enough of Go text/template and of
// Prometheus's functions for the common label/annotation idioms ({{ $labels.x }}, {{ $value }},
// printf, humanize*, if/with/range, comparisons). Full rendering arrives with the alerting issue;
// a construct outside this subset is an error naming it (callers print
// "<error expanding template: ...>" as Prometheus does for expansion errors).
//
// Render() is a pure function of its inputs; thread-safe.
#pragma once

#include <string>

#include "agent/core/labels.h"
#include "agent/core/status.h"
#include "rules/template/ast.h"

namespace tocsin::rules::tmpl {

struct AlertTemplateData {
  const Labels* labels = nullptr;           // $labels / .Labels
  const Labels* external_labels = nullptr;  // $externalLabels / .ExternalLabels
  std::string external_url;                 // $externalURL / .ExternalURL
  double value = 0;                         // $value / .Value
};

Result<std::string> Render(const Tree& tree, const AlertTemplateData& data);

// Go's fmt %v for a float64: shortest round-trip digits, exponent form when the decimal
// exponent is < -4 or >= 6 ("123456", "1.234567e+06", "1e-05"), "+Inf", "-Inf", "NaN".
std::string GoFormatFloatV(double v);

}  // namespace tocsin::rules::tmpl
