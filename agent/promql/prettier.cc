// Prettify (prettier.h): a port of the rules of Prometheus's prettier.go. Every node either
// prints its one-line form (ToString) after the indent of its level, or, when that form is
// longer than the limit, splits and hands its children the next level.
#include "agent/promql/prettier.h"

#include <string_view>

#include "agent/promql/engine.h"
#include "agent/promql/functions.h"
#include "agent/promql/printer.h"

namespace tocsin::promql {
namespace {

// Spaces per nesting level (prettier.go's indentString).
constexpr size_t kIndentWidth = 2;

class Prettifier {
 public:
  explicit Prettifier(size_t max_line) : max_line_(max_line) {}

  std::string Pretty(const Expr& e, int level) const {
    switch (e.kind) {
      case ExprKind::kAggregate:
        return Aggregate(static_cast<const AggregateExpr&>(e), level);
      case ExprKind::kBinary:
        return Binary(static_cast<const BinaryExpr&>(e), level);
      case ExprKind::kCall:
        return CallExpr(static_cast<const Call&>(e), level);
      case ExprKind::kParen: {
        std::string one_line = ToString(e);
        if (!NeedsSplit(one_line)) return Indent(level) + one_line;
        return Indent(level) + "(\n" + Pretty(*static_cast<const ParenExpr&>(e).expr, level + 1) +
               "\n" + Indent(level) + ")";
      }
      case ExprKind::kSubquery: {
        // As Prometheus: the one-line form carries no indent of its own.
        const auto& sq = static_cast<const SubqueryExpr&>(e);
        std::string one_line = ToString(e);
        if (!NeedsSplit(one_line)) return one_line;
        return Pretty(*sq.expr, level) + SubqueryTimeSuffix(sq);
      }
      case ExprKind::kUnary: {
        const auto& u = static_cast<const UnaryExpr&>(e);
        // The operand's own indent is dropped: the operator carries it.
        return Indent(level) + (u.negate ? "-" : "+") +
               std::string(TrimSpace(Pretty(*u.expr, level)));
      }
      case ExprKind::kNumber:
      case ExprKind::kString:
      case ExprKind::kVectorSelector:
      case ExprKind::kMatrixSelector:
        return Indent(level) + ToString(e);
    }
    return Indent(level) + ToString(e);
  }

 private:
  std::string Aggregate(const AggregateExpr& a, int level) const {
    std::string one_line = ToString(a);
    if (!NeedsSplit(one_line)) return Indent(level) + one_line;
    std::string s = Indent(level) + AggregateShortString(a) + "(\n";
    if (a.param) s += Pretty(*a.param, level + 1) + ",\n";
    s += Pretty(*a.expr, level + 1) + "\n" + Indent(level) + ")";
    return s;
  }

  std::string Binary(const BinaryExpr& b, int level) const {
    std::string one_line = ToString(b);
    if (!NeedsSplit(one_line)) return Indent(level) + one_line;
    std::string lhs = Pretty(*b.lhs, level + 1);
    // A signed literal before `^` stays grouped, as ToString prints it, so that the text reads
    // back as the same tree (the sign would otherwise apply to the whole power).
    if (b.op == BinOp::kPow && b.lhs->kind == ExprKind::kNumber) {
      std::string num = ToString(*b.lhs);
      if (num[0] == '+' || num[0] == '-') lhs = Indent(level + 1) + "(" + num + ")";
    }
    return lhs + "\n" + Indent(level) + std::string(BinOpString(b.op)) +
           (b.return_bool ? " bool" : "") + BinaryMatchingString(b) + "\n" +
           Pretty(*b.rhs, level + 1);
  }

  std::string CallExpr(const Call& c, int level) const {
    std::string one_line = ToString(c);
    if (!NeedsSplit(one_line)) return Indent(level) + one_line;
    std::string s = Indent(level) + std::string(c.func->name) + "(\n";
    for (size_t i = 0; i < c.args.size(); ++i) {
      if (i > 0) s += ",\n";
      s += Pretty(*c.args[i], level + 1);
    }
    s += "\n" + Indent(level) + ")";
    return s;
  }

  bool NeedsSplit(const std::string& one_line) const { return one_line.size() > max_line_; }

  static std::string Indent(int level) {
    return std::string(kIndentWidth * static_cast<size_t>(level), ' ');
  }

  // Go's strings.TrimSpace for the ASCII whitespace the printer can produce.
  static std::string_view TrimSpace(std::string_view s) {
    constexpr std::string_view kSpace = " \t\n\r\v\f";
    size_t b = s.find_first_not_of(kSpace);
    if (b == std::string_view::npos) return {};
    size_t e = s.find_last_not_of(kSpace);
    return s.substr(b, e - b + 1);
  }

  size_t max_line_;
};

}  // namespace

std::string Prettify(const Expr& expr, size_t max_line) {
  return Prettifier(max_line).Pretty(expr, 0);
}

}  // namespace tocsin::promql
