// ToString(): canonical PromQL text, as Prometheus's Expr.String() prints it.
#include "agent/promql/printer.h"

#include <algorithm>
#include <cstdio>

#include "agent/core/duration.h"
#include "agent/core/labels.h"
#include "agent/promql/ast.h"
#include "agent/promql/functions.h"
#include "agent/promql/lexer.h"
#include "agent/promql/quote.h"

namespace tocsin::promql {
namespace {

std::string Join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i > 0) out += sep;
    out += v[i];
  }
  return out;
}

// `inf` and `nan` (in any case) lex as numbers, so a metric or label name spelled so is quoted
// like one that is not a legacy identifier (found by the promql_parser fuzzer: {"nan"} printed
// as the number nan).
bool LexesAsNumber(std::string_view name) {
  return EqualFold(name, "inf") || EqualFold(name, "nan");
}

std::string LabelNameString(const std::string& name) {
  return IsValidLabelName(name) && !LexesAsNumber(name) ? name : Quote(name);
}

// Label names in by/without/on/ignoring/group_x lists; a name that is not a legacy identifier
// is quoted, as Prometheus 3 prints it, so the text parses back to the same names.
std::string JoinLabelNames(const std::vector<std::string>& names) {
  std::vector<std::string> printed;
  printed.reserve(names.size());
  for (const std::string& n : names) printed.push_back(LabelNameString(n));
  return Join(printed, ", ");
}

std::string FormatMods(const TimeModifiers& m) {
  std::string out;
  switch (m.at) {
    case AtKind::kNone:
      break;
    case AtKind::kStart:
      out += " @ start()";
      break;
    case AtKind::kEnd:
      out += " @ end()";
      break;
    case AtKind::kTimestamp: {
      char buf[64];
      std::snprintf(buf, sizeof(buf), " @ %.3f", static_cast<double>(m.at_ms) / 1000.0);
      out += buf;
      break;
    }
  }
  if (m.has_offset && m.offset_ms != 0) {
    out += " offset ";
    out += FormatDuration(std::chrono::milliseconds(m.offset_ms));
  }
  return out;
}

std::string SelectorString(const VectorSelector& vs) {
  std::vector<std::string> parts;
  for (const LabelMatcher& m : vs.matchers) {
    if (m.name() == kMetricNameLabel && m.op() == MatchOp::kEqual && m.value() == vs.name &&
        !vs.name.empty()) {
      continue;
    }
    std::string s = LabelNameString(m.name());
    s += MatchOpString(m.op());
    s += Quote(m.value());
    parts.push_back(std::move(s));
  }
  std::sort(parts.begin(), parts.end());
  std::string out;
  bool legacy_name = vs.name.empty() || (IsValidMetricName(vs.name) && !LexesAsNumber(vs.name));
  if (legacy_name) {
    out = vs.name;
  } else {
    parts.insert(parts.begin(), Quote(vs.name));
  }
  if (!parts.empty() || vs.name.empty()) {
    out += '{';
    out += Join(parts, ",");
    out += '}';
  }
  return out;
}

std::string Print(const Expr& e);

}  // namespace

std::string BinaryMatchingString(const BinaryExpr& b) {
  const VectorMatching& vm = b.matching;
  std::string out;
  bool grouped = vm.card == Cardinality::kManyToOne || vm.card == Cardinality::kOneToMany;
  if (!vm.labels.empty() || vm.on || grouped) {
    out += vm.on ? " on (" : " ignoring (";
    out += JoinLabelNames(vm.labels);
    out += ")";
    if (grouped) {
      out += vm.card == Cardinality::kManyToOne ? " group_left (" : " group_right (";
      out += JoinLabelNames(vm.include);
      out += ")";
    }
  }
  return out;
}

std::string SubqueryTimeSuffix(const SubqueryExpr& sq) {
  std::string step = sq.step_ms == 0 ? "" : FormatDuration(std::chrono::milliseconds(sq.step_ms));
  return "[" + FormatDuration(std::chrono::milliseconds(sq.range_ms)) + ":" + step + "]" +
         FormatMods(sq.mods);
}

std::string AggregateShortString(const AggregateExpr& a) {
  std::string out(AggOpString(a.op));
  if (a.without) {
    out += " without (";
    out += JoinLabelNames(a.grouping);
    out += ") ";
  } else if (!a.grouping.empty()) {
    out += " by (";
    out += JoinLabelNames(a.grouping);
    out += ") ";
  }
  return out;
}

namespace {

std::string Print(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kNumber:
      return FormatFloat(static_cast<const NumberLiteral&>(e).value);
    case ExprKind::kString:
      return Quote(static_cast<const StringLiteral&>(e).value);
    case ExprKind::kVectorSelector: {
      const auto& vs = static_cast<const VectorSelector&>(e);
      return SelectorString(vs) + FormatMods(vs.mods);
    }
    case ExprKind::kMatrixSelector: {
      const auto& ms = static_cast<const MatrixSelector&>(e);
      return SelectorString(*ms.vs) + "[" + FormatDuration(std::chrono::milliseconds(ms.range_ms)) +
             "]" + FormatMods(ms.vs->mods);
    }
    case ExprKind::kSubquery: {
      const auto& sq = static_cast<const SubqueryExpr&>(e);
      return Print(*sq.expr) + SubqueryTimeSuffix(sq);
    }
    case ExprKind::kParen: {
      std::string out = "(";
      out += Print(*static_cast<const ParenExpr&>(e).expr);
      out += ')';
      return out;
    }
    case ExprKind::kUnary: {
      const auto& u = static_cast<const UnaryExpr&>(e);
      return std::string(u.negate ? "-" : "+") + Print(*u.expr);
    }
    case ExprKind::kBinary: {
      const auto& b = static_cast<const BinaryExpr&>(e);
      std::string lhs = Print(*b.lhs);
      // A signed literal ("+Inf", "-1" folded from a unary minus) before `^` would read back as
      // a sign applied to the whole power: keep it grouped so the text is a fixed point
      // (found by the fuzzer).
      if (b.op == BinOp::kPow && b.lhs->kind == ExprKind::kNumber &&
          (lhs[0] == '+' || lhs[0] == '-')) {
        lhs = "(" + lhs + ")";
      }
      return lhs + " " + std::string(BinOpString(b.op)) + (b.return_bool ? " bool" : "") +
             BinaryMatchingString(b) + " " + Print(*b.rhs);
    }
    case ExprKind::kCall: {
      const auto& c = static_cast<const Call&>(e);
      std::vector<std::string> args;
      for (const auto& a : c.args) args.push_back(Print(*a));
      return std::string(c.func->name) + "(" + Join(args, ", ") + ")";
    }
    case ExprKind::kAggregate: {
      const auto& a = static_cast<const AggregateExpr&>(e);
      std::string out = AggregateShortString(a);
      out += "(";
      if (a.param) out += Print(*a.param) + ", ";
      out += Print(*a.expr) + ")";
      return out;
    }
  }
  return "";
}

}  // namespace

std::string ToString(const Expr& expr) { return Print(expr); }

}  // namespace tocsin::promql
