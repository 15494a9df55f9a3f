#include "agent/promql/parser_checks.h"

#include <algorithm>

#include "agent/promql/functions.h"

namespace tocsin::promql {

std::optional<ParseIssue> CheckCall(const Call& call, int pos) {
  const Function* f = call.func;
  int nargs = static_cast<int>(call.args.size());
  std::string q = "\"" + std::string(f->name) + "\"";
  if (f->min_args == f->max_args && nargs != f->min_args) {
    return ParseIssue{pos, "expected " + std::to_string(f->min_args) + " argument(s) in call to " +
                               q + ", got " + std::to_string(nargs)};
  }
  if (nargs < f->min_args) {
    return ParseIssue{pos, "expected at least " + std::to_string(f->min_args) +
                               " argument(s) in call to " + q + ", got " + std::to_string(nargs)};
  }
  if (f->max_args >= 0 && nargs > f->max_args) {
    return ParseIssue{pos, "expected at most " + std::to_string(f->max_args) +
                               " argument(s) in call to " + q + ", got " + std::to_string(nargs)};
  }
  for (size_t i = 0; i < call.args.size(); ++i) {
    ValueType want = f->arg_types[std::min(i, f->arg_types.size() - 1)];
    ValueType got = TypeOf(*call.args[i]);
    if (got != want) {
      return ParseIssue{call.args[i]->pos, "expected type " + std::string(ValueTypeName(want)) +
                                               " in call to function " + q + ", got " +
                                               std::string(ValueTypeName(got))};
    }
  }
  return std::nullopt;
}

std::optional<ParseIssue> CheckBinaryExpr(BinaryExpr& b, int op_pos) {
  ValueType lt = TypeOf(*b.lhs), rt = TypeOf(*b.rhs);
  std::string ops(BinOpString(b.op));
  if (b.return_bool && !IsComparison(b.op)) {
    return ParseIssue{op_pos, "bool modifier can only be used on comparison operators"};
  }
  if (IsComparison(b.op) && !b.return_bool && lt == ValueType::kScalar &&
      rt == ValueType::kScalar) {
    return ParseIssue{op_pos, "comparisons between scalars must use BOOL modifier"};
  }
  if (IsSetOperator(b.op) && b.matching.card == Cardinality::kOneToOne) {
    b.matching.card = Cardinality::kManyToMany;
  }
  if (b.matching.on) {
    for (const auto& l1 : b.matching.labels) {
      for (const auto& l2 : b.matching.include) {
        if (l1 == l2) {
          return ParseIssue{op_pos,
                            "label \"" + l1 + "\" must not occur in ON and GROUP clause at once"};
        }
      }
    }
  }
  if ((lt != ValueType::kScalar && lt != ValueType::kVector) ||
      (rt != ValueType::kScalar && rt != ValueType::kVector)) {
    return ParseIssue{op_pos,
                      "binary expression must contain only scalar and instant vector types"};
  }
  if (lt != ValueType::kVector || rt != ValueType::kVector) {
    if (b.matching.has_matching && !b.matching.labels.empty()) {
      return ParseIssue{op_pos, "vector matching only allowed between instant vectors"};
    }
    b.matching = VectorMatching{};
  } else if (IsSetOperator(b.op) && (b.matching.card == Cardinality::kOneToMany ||
                                     b.matching.card == Cardinality::kManyToOne)) {
    return ParseIssue{op_pos, "no grouping allowed for \"" + ops + "\" operation"};
  }
  if ((lt == ValueType::kScalar || rt == ValueType::kScalar) && IsSetOperator(b.op)) {
    return ParseIssue{op_pos,
                      "set operator \"" + ops + "\" not allowed in binary scalar expression"};
  }
  return std::nullopt;
}

}  // namespace tocsin::promql
