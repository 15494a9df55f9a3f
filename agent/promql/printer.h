// Pieces of the canonical PromQL text (printer.cc) that Prettify (prettier.h) reuses, each as
// Prometheus's printer.go writes it: the `on (..) group_left (..)` part of a binary operator
// (getMatchingStr), a subquery's `[range:step] @ t offset d` suffix (getSubqueryTimeSuffix) and
// an aggregation's `sum by (a, b) ` head (AggregateExpr.ShortString, trailing space included).
// Pure functions over immutable AST nodes; thread-safe.
#pragma once

#include <string>

#include "agent/promql/ast.h"

namespace tocsin::promql {

std::string BinaryMatchingString(const BinaryExpr& b);
std::string SubqueryTimeSuffix(const SubqueryExpr& sq);
std::string AggregateShortString(const AggregateExpr& a);

}  // namespace tocsin::promql
