// The function names a Prometheus alert template may call: Go text/template's builtins plus
// Prometheus's template funcMap (P:template/template.go). Used by the parser's
// `function "x" not defined` check. Pure data; thread-safe.
#pragma once

#include <string_view>

namespace tocsin::rules::tmpl {

bool IsBuiltinFunction(std::string_view name);     // and, or, not, len, index, printf, eq, ...
bool IsPrometheusFunction(std::string_view name);  // query, humanize, toUpper, ...
inline bool IsTemplateFunction(std::string_view name) {
  return IsBuiltinFunction(name) || IsPrometheusFunction(name);
}

}  // namespace tocsin::rules::tmpl
