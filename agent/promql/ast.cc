#include "agent/promql/ast.h"

#include "agent/promql/functions.h"

namespace tocsin::promql {

std::string_view ValueTypeName(ValueType t) {
  switch (t) {
    case ValueType::kNone:
      return "none";
    case ValueType::kScalar:
      return "scalar";
    case ValueType::kVector:
      return "instant vector";
    case ValueType::kMatrix:
      return "range vector";
    case ValueType::kString:
      return "string";
  }
  return "none";
}

std::string_view BinOpString(BinOp op) {
  switch (op) {
    case BinOp::kAdd:
      return "+";
    case BinOp::kSub:
      return "-";
    case BinOp::kMul:
      return "*";
    case BinOp::kDiv:
      return "/";
    case BinOp::kMod:
      return "%";
    case BinOp::kPow:
      return "^";
    case BinOp::kAtan2:
      return "atan2";
    case BinOp::kEql:
      return "==";
    case BinOp::kNeq:
      return "!=";
    case BinOp::kGtr:
      return ">";
    case BinOp::kLss:
      return "<";
    case BinOp::kGte:
      return ">=";
    case BinOp::kLte:
      return "<=";
    case BinOp::kAnd:
      return "and";
    case BinOp::kOr:
      return "or";
    case BinOp::kUnless:
      return "unless";
  }
  return "?";
}

bool IsComparison(BinOp op) {
  return op == BinOp::kEql || op == BinOp::kNeq || op == BinOp::kGtr || op == BinOp::kLss ||
         op == BinOp::kGte || op == BinOp::kLte;
}

bool IsSetOperator(BinOp op) {
  return op == BinOp::kAnd || op == BinOp::kOr || op == BinOp::kUnless;
}

std::string_view AggOpString(AggOp op) {
  switch (op) {
    case AggOp::kSum:
      return "sum";
    case AggOp::kAvg:
      return "avg";
    case AggOp::kCount:
      return "count";
    case AggOp::kMin:
      return "min";
    case AggOp::kMax:
      return "max";
    case AggOp::kGroup:
      return "group";
    case AggOp::kStddev:
      return "stddev";
    case AggOp::kStdvar:
      return "stdvar";
    case AggOp::kTopk:
      return "topk";
    case AggOp::kBottomk:
      return "bottomk";
    case AggOp::kQuantile:
      return "quantile";
    case AggOp::kCountValues:
      return "count_values";
    case AggOp::kLimitk:
      return "limitk";
    case AggOp::kLimitRatio:
      return "limit_ratio";
  }
  return "?";
}

const Expr& Unparen(const Expr& e) {
  const Expr* p = &e;
  while (p->kind == ExprKind::kParen) p = static_cast<const ParenExpr*>(p)->expr.get();
  return *p;
}

ValueType TypeOf(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kNumber:
      return ValueType::kScalar;
    case ExprKind::kString:
      return ValueType::kString;
    case ExprKind::kVectorSelector:
      return ValueType::kVector;
    case ExprKind::kMatrixSelector:
    case ExprKind::kSubquery:
      return ValueType::kMatrix;
    case ExprKind::kParen:
      return TypeOf(*static_cast<const ParenExpr&>(e).expr);
    case ExprKind::kUnary:
      return TypeOf(*static_cast<const UnaryExpr&>(e).expr);
    case ExprKind::kBinary: {
      const auto& b = static_cast<const BinaryExpr&>(e);
      return TypeOf(*b.lhs) == ValueType::kScalar && TypeOf(*b.rhs) == ValueType::kScalar
                 ? ValueType::kScalar
                 : ValueType::kVector;
    }
    case ExprKind::kCall:
      return static_cast<const Call&>(e).func->return_type;
    case ExprKind::kAggregate:
      return ValueType::kVector;
  }
  return ValueType::kNone;
}

}  // namespace tocsin::promql
