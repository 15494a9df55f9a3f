#include "rules/template/functions.h"

#include <algorithm>
#include <array>

namespace tocsin::rules::tmpl {
namespace {

// Go 1.19 text/template builtins.
constexpr std::array<std::string_view, 19> kBuiltins = {
    "and", "call", "eq",  "ge", "gt",    "html",   "index",   "js",    "le",       "len",
    "lt",  "ne",   "not", "or", "print", "printf", "println", "slice", "urlquery",
};

// Prometheus's alert-template funcMap (2.x and 3.x).
constexpr std::array<std::string_view, 30> kPrometheus = {
    "args",
    "externalURL",
    "first",
    "graphLink",
    "humanize",
    "humanize1024",
    "humanizeDuration",
    "humanizePercentage",
    "humanizeTimestamp",
    "label",
    "match",
    "now",
    "parseDuration",
    "pathPrefix",
    "query",
    "reReplaceAll",
    "safeHtml",
    "sortByLabel",
    "stripDomain",
    "stripPort",
    "strvalue",
    "tableLink",
    "title",
    "toDuration",
    "toLower",
    "toTime",
    "toUpper",
    "urlQueryEscape",
    "value",
    "tmpl",
};

}  // namespace

bool IsBuiltinFunction(std::string_view name) {
  return std::find(kBuiltins.begin(), kBuiltins.end(), name) != kBuiltins.end();
}

bool IsPrometheusFunction(std::string_view name) {
  if (name == "tmpl") return false;  // console templates only
  return std::find(kPrometheus.begin(), kPrometheus.end(), name) != kPrometheus.end();
}

}  // namespace tocsin::rules::tmpl
