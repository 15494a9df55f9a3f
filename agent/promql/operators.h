// PromQL's operator vocabulary as the parser needs it: aggregation names, which aggregations
// take a parameter, binary-operator precedence, and which token spells which binary operator.
// Keywords compare case-insensitively, as in Prometheus. Stateless; thread-safe.
#pragma once

#include <optional>
#include <string_view>

#include "agent/promql/ast.h"
#include "agent/promql/lexer.h"

namespace tocsin::promql {

std::optional<AggOp> AggOpFromName(std::string_view s);
// topk, bottomk, quantile, count_values, limitk, limit_ratio.
bool AggHasParam(AggOp op);
// 1 (or) .. 6 (^); `^` is right-associative, the others left.
int Precedence(BinOp op);
inline constexpr int kPowPrecedence = 6;
std::optional<BinOp> BinOpFromToken(const Token& t);

}  // namespace tocsin::promql
