// Prettify: Prometheus's PromQL pretty-printer (promql/parser/prettier.go, what
// /api/v1/format_query and promtool's `promql format` answer).
//
// An expression whose canonical text (ToString) fits in `max_line` bytes stays on one line;
// a longer one is split: aggregations and calls put each argument on its own line, binary
// operators put the operator on its own line between the indented operands, parentheses put
// their content on its own line. Each nesting level indents by two spaces. Subqueries are
// printed as Prometheus does (the inner expression prettified, then the `[range:step]` suffix).
// Pure function over an immutable AST; thread-safe.
#pragma once

#include <cstddef>
#include <string>

#include "agent/promql/ast.h"

namespace tocsin::promql {

inline constexpr size_t kPrettyMaxCharactersPerLine = 100;

std::string Prettify(const Expr& expr, size_t max_line = kPrettyMaxCharactersPerLine);

}  // namespace tocsin::promql
