#include "agent/promql/operators.h"

namespace tocsin::promql {

std::optional<AggOp> AggOpFromName(std::string_view s) {
  static const std::pair<std::string_view, AggOp> kOps[] = {
      {"sum", AggOp::kSum},           {"avg", AggOp::kAvg},
      {"count", AggOp::kCount},       {"min", AggOp::kMin},
      {"max", AggOp::kMax},           {"group", AggOp::kGroup},
      {"stddev", AggOp::kStddev},     {"stdvar", AggOp::kStdvar},
      {"topk", AggOp::kTopk},         {"bottomk", AggOp::kBottomk},
      {"quantile", AggOp::kQuantile}, {"count_values", AggOp::kCountValues},
      {"limitk", AggOp::kLimitk},     {"limit_ratio", AggOp::kLimitRatio},
  };
  for (const auto& [name, op] : kOps) {
    if (EqualFold(s, name)) return op;
  }
  return std::nullopt;
}

bool AggHasParam(AggOp op) {
  return op == AggOp::kTopk || op == AggOp::kBottomk || op == AggOp::kQuantile ||
         op == AggOp::kCountValues || op == AggOp::kLimitk || op == AggOp::kLimitRatio;
}

int Precedence(BinOp op) {
  switch (op) {
    case BinOp::kOr:
      return 1;
    case BinOp::kAnd:
    case BinOp::kUnless:
      return 2;
    case BinOp::kEql:
    case BinOp::kNeq:
    case BinOp::kGtr:
    case BinOp::kLss:
    case BinOp::kGte:
    case BinOp::kLte:
      return 3;
    case BinOp::kAdd:
    case BinOp::kSub:
      return 4;
    case BinOp::kMul:
    case BinOp::kDiv:
    case BinOp::kMod:
    case BinOp::kAtan2:
      return 5;
    case BinOp::kPow:
      return 6;
  }
  return 0;
}

std::optional<BinOp> BinOpFromToken(const Token& t) {
  switch (t.type) {
    case Tok::kAdd:
      return BinOp::kAdd;
    case Tok::kSub:
      return BinOp::kSub;
    case Tok::kMul:
      return BinOp::kMul;
    case Tok::kDiv:
      return BinOp::kDiv;
    case Tok::kMod:
      return BinOp::kMod;
    case Tok::kPow:
      return BinOp::kPow;
    case Tok::kEqlc:
      return BinOp::kEql;
    case Tok::kNeq:
      return BinOp::kNeq;
    case Tok::kGtr:
      return BinOp::kGtr;
    case Tok::kLss:
      return BinOp::kLss;
    case Tok::kGte:
      return BinOp::kGte;
    case Tok::kLte:
      return BinOp::kLte;
    case Tok::kIdent:
      if (EqualFold(t.text, "and")) return BinOp::kAnd;
      if (EqualFold(t.text, "or")) return BinOp::kOr;
      if (EqualFold(t.text, "unless")) return BinOp::kUnless;
      if (EqualFold(t.text, "atan2")) return BinOp::kAtan2;
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

}  // namespace tocsin::promql
