// The PromQL abstract syntax tree produced by Parse (engine.h) and walked by the evaluator and
// the printer.
//
// Nodes are built once by the parser and are immutable afterwards; a tree is shared through
// ExprPtr (shared_ptr<const Expr>) and may be read from many threads. Children are owned by their
// parent through shared_ptr.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/core/clock.h"
#include "agent/core/matcher.h"
#include "agent/promql/engine.h"

namespace tocsin::promql {

enum class ExprKind {
  kNumber,
  kString,
  kVectorSelector,
  kMatrixSelector,
  kSubquery,
  kParen,
  kUnary,
  kBinary,
  kCall,
  kAggregate,
};

// Binary operators, aggregation operators share one token-like enum for printing.
enum class BinOp {
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  kPow,
  kAtan2,
  kEql,
  kNeq,
  kGtr,
  kLss,
  kGte,
  kLte,
  kAnd,
  kOr,
  kUnless,
};
std::string_view BinOpString(BinOp op);
bool IsComparison(BinOp op);
bool IsSetOperator(BinOp op);

enum class AggOp {
  kSum,
  kAvg,
  kCount,
  kMin,
  kMax,
  kGroup,
  kStddev,
  kStdvar,
  kTopk,
  kBottomk,
  kQuantile,
  kCountValues,
  kLimitk,
  kLimitRatio,
};
std::string_view AggOpString(AggOp op);

// Where an `@` modifier points.
enum class AtKind { kNone, kTimestamp, kStart, kEnd };

struct Function;  // functions.h

class Expr {
 public:
  explicit Expr(ExprKind kind) : kind(kind) {}
  virtual ~Expr() = default;
  const ExprKind kind;
  int pos = 0;  // byte offset of the expression's first token in the input
};

struct NumberLiteral final : Expr {
  NumberLiteral() : Expr(ExprKind::kNumber) {}
  double value = 0;
};

struct StringLiteral final : Expr {
  StringLiteral() : Expr(ExprKind::kString) {}
  std::string value;
};

// Time modifiers shared by vector selectors and subqueries.
struct TimeModifiers {
  int64_t offset_ms = 0;  // positive looks back
  bool has_offset = false;
  AtKind at = AtKind::kNone;
  TimestampMs at_ms = 0;  // for AtKind::kTimestamp
};

struct VectorSelector final : Expr {
  VectorSelector() : Expr(ExprKind::kVectorSelector) {}
  std::string name;  // metric name given before the braces (or quoted inside), may be empty
  std::vector<LabelMatcher> matchers;  // includes __name__="name" when name is set
  TimeModifiers mods;
};

struct MatrixSelector final : Expr {
  MatrixSelector() : Expr(ExprKind::kMatrixSelector) {}
  std::shared_ptr<VectorSelector> vs;  // carries offset/@
  int64_t range_ms = 0;
};

struct SubqueryExpr final : Expr {
  SubqueryExpr() : Expr(ExprKind::kSubquery) {}
  std::shared_ptr<const Expr> expr;
  int64_t range_ms = 0;
  int64_t step_ms = 0;  // 0: the engine's default
  TimeModifiers mods;
};

struct ParenExpr final : Expr {
  ParenExpr() : Expr(ExprKind::kParen) {}
  std::shared_ptr<const Expr> expr;
};

struct UnaryExpr final : Expr {
  UnaryExpr() : Expr(ExprKind::kUnary) {}
  bool negate = true;  // false for unary plus
  std::shared_ptr<const Expr> expr;
};

enum class Cardinality { kOneToOne, kManyToOne, kOneToMany, kManyToMany };

struct VectorMatching {
  Cardinality card = Cardinality::kOneToOne;
  bool on = false;
  bool has_matching = false;         // on(...) or ignoring(...) was written
  std::vector<std::string> labels;   // on/ignoring labels
  std::vector<std::string> include;  // group_left/right extra labels
};

struct BinaryExpr final : Expr {
  BinaryExpr() : Expr(ExprKind::kBinary) {}
  BinOp op = BinOp::kAdd;
  std::shared_ptr<const Expr> lhs, rhs;
  bool return_bool = false;
  VectorMatching matching;  // meaningful when both sides are vectors
};

struct Call final : Expr {
  Call() : Expr(ExprKind::kCall) {}
  const Function* func = nullptr;
  std::vector<std::shared_ptr<const Expr>> args;
};

struct AggregateExpr final : Expr {
  AggregateExpr() : Expr(ExprKind::kAggregate) {}
  AggOp op = AggOp::kSum;
  std::shared_ptr<const Expr> expr;
  std::shared_ptr<const Expr> param;  // topk/bottomk/quantile/count_values/limitk/limit_ratio
  std::vector<std::string> grouping;
  bool without = false;
};

// Strips any number of enclosing parentheses.
const Expr& Unparen(const Expr& e);

}  // namespace tocsin::promql
