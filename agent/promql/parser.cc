// Recursive-descent PromQL parser with precedence climbing; implements Parse() of engine.h.
#include <cmath>
#include <limits>
#include <optional>

#include "agent/core/labels.h"
#include "agent/promql/ast.h"
#include "agent/promql/functions.h"
#include "agent/promql/lexer.h"
#include "agent/promql/operators.h"
#include "agent/promql/parser_checks.h"

namespace tocsin::promql {
namespace {

class Parser {
 public:
  explicit Parser(std::string_view input) : input_(input) {}
  static constexpr int kMaxNesting = 256;

  Result<ExprPtr> Run() {
    auto toks = Lex(input_);
    if (!toks.ok()) return toks.status();
    toks_ = std::move(toks).value();
    if (Peek().type == Tok::kEof) return Error(Peek().pos, "no expression found in input");
    ExprPtr e = ParseExpr(0);
    if (!err_.ok()) return err_;
    if (Peek().type != Tok::kEof) {
      if (Peek().type == Tok::kRParen) {
        return Error(Peek().pos, "unexpected right parenthesis ')'");
      }
      return Error(Peek().pos, "unexpected " + DescribeToken(Peek()));
    }
    return e;
  }

  // A lone vector selector (`up`, `up{job="a"}`, `{__name__=~"x.*"}`), without modifiers.
  Result<std::vector<LabelMatcher>> RunSelector() {
    auto toks = Lex(input_);
    if (!toks.ok()) return toks.status();
    toks_ = std::move(toks).value();
    const Token& t = Peek();
    if (t.type == Tok::kEof) return Error(t.pos, "unexpected end of input");
    ExprPtr e;
    if (t.type == Tok::kLBrace) {
      e = ParseSelector("", t.pos);
    } else if (IsIdentLike(t)) {
      int pos = t.pos;
      std::string name = t.text;
      Next();
      e = ParseSelector(name, pos);
    } else {
      return Error(t.pos, "unexpected " + DescribeToken(t));
    }
    if (!err_.ok()) return err_;
    if (Peek().type != Tok::kEof) return Error(Peek().pos, "unexpected " + DescribeToken(Peek()));
    return static_cast<const VectorSelector&>(*e).matchers;
  }

 private:
  const Token& Peek(size_t ahead = 0) const {
    size_t i = std::min(pos_ + ahead, toks_.size() - 1);
    return toks_[i];
  }
  const Token& Next() {
    const Token& t = toks_[pos_];
    if (pos_ + 1 < toks_.size()) ++pos_;
    return t;
  }
  bool IsIdentLike(const Token& t) const {
    return t.type == Tok::kIdent || t.type == Tok::kMetricIdent;
  }
  bool PeekKeyword(std::string_view kw, size_t ahead = 0) const {
    const Token& t = Peek(ahead);
    return t.type == Tok::kIdent && EqualFold(t.text, kw);
  }

  // Records the first error; parsing unwinds by returning nullptr.
  ExprPtr Fail(int pos, std::string msg) {
    if (err_.ok()) err_ = ParseError(input_, pos, msg);
    return nullptr;
  }
  Status Error(int pos, std::string msg) { return ParseError(input_, pos, msg); }
  ExprPtr Unexpected(std::string_view context = "") {
    std::string msg = "unexpected " + DescribeToken(Peek());
    if (!context.empty()) msg += " in " + std::string(context);
    return Fail(Peek().pos, msg);
  }
  bool failed() const { return !err_.ok(); }

  // Prometheus's parseDuration refuses a zero duration literal wherever one appears (range,
  // offset, subquery range and step, @, a duration used as a number); the number 0 is not a
  // duration and is not refused here.
  bool ZeroDuration(const Token& t) {
    if (t.type != Tok::kDuration || t.duration_ms != 0) return false;
    Fail(t.pos, "duration must be greater than 0");
    return true;
  }

  std::optional<BinOp> PeekBinOp() const { return BinOpFromToken(Peek()); }

  ExprPtr ParseExpr(int min_prec) {
    // Every nesting level (parentheses, calls, aggregations, unary signs) comes through here;
    // bound it so that a hostile query cannot overflow the HTTP thread's stack (found by the
    // fuzzer with a few thousand '(').
    if (depth_ >= kMaxNesting) {
      return Fail(Peek().pos,
                  "expression nested more than " + std::to_string(kMaxNesting) + " levels deep");
    }
    struct DepthGuard {
      int& d;
      explicit DepthGuard(int& depth) : d(++depth) {}
      ~DepthGuard() { --d; }
    } guard(depth_);
    ExprPtr lhs = ParseUnary();
    while (lhs && !failed()) {
      auto op = PeekBinOp();
      if (!op) break;
      int prec = Precedence(*op);
      if (prec < min_prec) break;
      int op_pos = Peek().pos;
      Next();
      auto bin = std::make_shared<BinaryExpr>();
      bin->op = *op;
      bin->pos = lhs->pos;
      if (!ParseBinModifiers(*bin)) return nullptr;
      ExprPtr rhs = ParseExpr(*op == BinOp::kPow ? prec : prec + 1);
      if (!rhs) return nullptr;
      bin->lhs = lhs;
      bin->rhs = rhs;
      if (!CheckBinary(*bin, op_pos)) return nullptr;
      lhs = bin;
    }
    return failed() ? nullptr : lhs;
  }

  bool ParseBinModifiers(BinaryExpr& bin) {
    if (PeekKeyword("bool")) {
      Next();
      bin.return_bool = true;
    }
    if (PeekKeyword("on") || PeekKeyword("ignoring")) {
      bin.matching.on = PeekKeyword("on");
      bin.matching.has_matching = true;
      Next();
      if (!ParseLabelList(bin.matching.labels)) return false;
      if (PeekKeyword("group_left") || PeekKeyword("group_right")) {
        bin.matching.card =
            PeekKeyword("group_left") ? Cardinality::kManyToOne : Cardinality::kOneToMany;
        Next();
        if (Peek().type == Tok::kLParen) {
          if (!ParseLabelList(bin.matching.include)) return false;
        }
      }
    } else if (PeekKeyword("group_left") || PeekKeyword("group_right")) {
      Unexpected();
      return false;
    }
    return true;
  }

  bool ParseLabelList(std::vector<std::string>& out) {
    if (Peek().type != Tok::kLParen) {
      Unexpected("grouping opts, expected \"(\"");
      return false;
    }
    Next();
    while (true) {
      const Token& t = Peek();
      if (t.type == Tok::kRParen) {
        Next();
        return true;
      }
      if (t.type == Tok::kIdent || t.type == Tok::kString) {
        if (t.type == Tok::kIdent && !IsValidLabelName(t.text)) {
          Fail(t.pos, "invalid label name \"" + t.text + "\"");
          return false;
        }
        out.push_back(t.text);
        Next();
      } else {
        Unexpected("grouping opts, expected label");
        return false;
      }
      if (Peek().type == Tok::kComma) {
        Next();
      } else if (Peek().type != Tok::kRParen) {
        Unexpected("grouping opts, expected \")\" or \",\"");
        return false;
      }
    }
  }

  ExprPtr ParseUnary() {
    const Token& t = Peek();
    if (t.type == Tok::kAdd || t.type == Tok::kSub) {
      bool negate = t.type == Tok::kSub;
      int pos = t.pos;
      Next();
      ExprPtr operand = ParseExpr(kPowPrecedence);
      if (!operand) return nullptr;
      if (operand->kind == ExprKind::kNumber) {
        auto num = std::make_shared<NumberLiteral>();
        num->value = static_cast<const NumberLiteral&>(*operand).value * (negate ? -1 : 1);
        num->pos = pos;
        return num;
      }
      ValueType vt = TypeOf(*operand);
      if (vt != ValueType::kScalar && vt != ValueType::kVector) {
        return Fail(pos,
                    "unary expression only allowed on expressions of type scalar or "
                    "instant vector, got \"" +
                        std::string(ValueTypeName(vt)) + "\"");
      }
      auto u = std::make_shared<UnaryExpr>();
      u->negate = negate;
      u->expr = operand;
      u->pos = pos;
      return u;
    }
    ExprPtr e = ParsePrimary();
    if (!e) return nullptr;
    return ParsePostfix(e);
  }

  ExprPtr ParsePrimary() {
    const Token& t = Peek();
    switch (t.type) {
      case Tok::kNumber: {
        auto n = std::make_shared<NumberLiteral>();
        n->value = t.number;
        n->pos = t.pos;
        Next();
        return n;
      }
      case Tok::kDuration: {
        if (ZeroDuration(t)) return nullptr;
        auto n = std::make_shared<NumberLiteral>();
        n->value = static_cast<double>(t.duration_ms) / 1000.0;
        n->pos = t.pos;
        Next();
        return n;
      }
      case Tok::kString: {
        auto s = std::make_shared<StringLiteral>();
        s->value = t.text;
        s->pos = t.pos;
        Next();
        return s;
      }
      case Tok::kLParen: {
        int pos = t.pos;
        Next();
        ExprPtr inner = ParseExpr(0);
        if (!inner) return nullptr;
        if (Peek().type != Tok::kRParen) {
          if (Peek().type == Tok::kEof) return Fail(Peek().pos, "unclosed left parenthesis");
          return Unexpected("paren expression, expected \")\"");
        }
        Next();
        auto p = std::make_shared<ParenExpr>();
        p->expr = inner;
        p->pos = pos;
        return p;
      }
      case Tok::kLBrace:
        return ParseSelector("", t.pos);
      case Tok::kIdent:
      case Tok::kMetricIdent: {
        int pos = t.pos;
        std::string name = t.text;
        if (t.type == Tok::kIdent) {
          if (auto agg = AggOpFromName(name);
              agg &&
              (Peek(1).type == Tok::kLParen || PeekKeyword("by", 1) || PeekKeyword("without", 1))) {
            Next();
            return ParseAggregate(*agg, pos);
          }
          if (Peek(1).type == Tok::kLParen) {
            if (PeekKeyword("start") || PeekKeyword("end")) {
              return Fail(pos, "unexpected " + DescribeToken(t));
            }
            Next();
            return ParseCall(name, pos);
          }
        }
        Next();
        return ParseSelector(name, pos);
      }
      case Tok::kEof:
        return Fail(t.pos, "unexpected end of input");
      case Tok::kRParen:
        return Fail(t.pos, "unexpected right parenthesis ')'");
      default:
        return Unexpected();
    }
  }

  ExprPtr ParseSelector(std::string name, int pos) {
    auto vs = std::make_shared<VectorSelector>();
    vs->pos = pos;
    vs->name = name;
    std::vector<LabelMatcher> matchers;
    if (Peek().type == Tok::kLBrace) {
      Next();
      while (true) {
        const Token& t = Peek();
        if (t.type == Tok::kRBrace) {
          Next();
          break;
        }
        std::string lname;
        bool quoted = t.type == Tok::kString;
        if (t.type == Tok::kIdent || quoted) {
          lname = t.text;
          Next();
        } else if (t.type == Tok::kEof) {
          return Fail(t.pos, "unexpected end of input inside braces");
        } else {
          return Unexpected("label matching, expected label");
        }
        if (quoted && (Peek().type == Tok::kComma || Peek().type == Tok::kRBrace)) {
          if (!vs->name.empty()) {
            return Fail(t.pos, "metric name must not be set twice: \"" + vs->name + "\" or \"" +
                                   lname + "\"");
          }
          vs->name = lname;
        } else {
          MatchOp op;
          switch (Peek().type) {
            case Tok::kAssign:
              op = MatchOp::kEqual;
              break;
            case Tok::kNeq:
              op = MatchOp::kNotEqual;
              break;
            case Tok::kEqlRegex:
              op = MatchOp::kRegexMatch;
              break;
            case Tok::kNeqRegex:
              op = MatchOp::kRegexNoMatch;
              break;
            default:
              return Unexpected("label matching, expected label matching operator");
          }
          Next();
          if (Peek().type != Tok::kString) {
            return Unexpected("label matching, expected string");
          }
          int vpos = Peek().pos;
          auto m = LabelMatcher::Make(op, lname, Peek().text);
          if (!m.ok()) return Fail(vpos, m.status().message());
          matchers.push_back(std::move(m).value());
          Next();
        }
        if (Peek().type == Tok::kComma) {
          Next();
        } else if (Peek().type != Tok::kRBrace) {
          if (Peek().type == Tok::kEof)
            return Fail(Peek().pos, "unexpected end of input inside braces");
          return Unexpected("label matching, expected \",\" or \"}\"");
        }
      }
    }
    if (!vs->name.empty()) {
      for (const LabelMatcher& m : matchers) {
        if (m.name() == kMetricNameLabel) {
          return Fail(pos, "metric name must not be set twice: \"" + vs->name + "\" or \"" +
                               m.value() + "\"");
        }
      }
      matchers.push_back(LabelMatcher::Equal(std::string(kMetricNameLabel), vs->name));
    }
    bool non_empty = false;
    for (const LabelMatcher& m : matchers) non_empty = non_empty || !m.MatchesEmpty();
    if (!non_empty) return Fail(pos, "vector selector must contain at least one non-empty matcher");
    vs->matchers = std::move(matchers);
    return vs;
  }

  // A duration or a number of seconds (range, offset, step).
  std::optional<int64_t> ParseDurationValue(std::string_view context) {
    const Token& t = Peek();
    if (t.type == Tok::kDuration) {
      if (ZeroDuration(t)) return std::nullopt;
      Next();
      return t.duration_ms;
    }
    if (t.type == Tok::kNumber) {
      if (!std::isfinite(t.number) || std::abs(t.number) > 9.2e15) {
        Fail(t.pos, "invalid duration \"" + t.text + "\"");
        return std::nullopt;
      }
      Next();
      return static_cast<int64_t>(std::llround(t.number * 1000.0));
    }
    Unexpected(context);
    return std::nullopt;
  }

  ExprPtr ParsePostfix(ExprPtr e) {
    while (!failed()) {
      const Token& t = Peek();
      if (t.type == Tok::kLBracket) {
        int pos = t.pos;
        Next();
        auto range = ParseDurationValue("range, expected duration");
        if (!range) return nullptr;
        if (Peek().type == Tok::kColon) {
          Next();
          int64_t step = 0;
          if (Peek().type != Tok::kRBracket) {
            auto s = ParseDurationValue("subquery selector, expected duration or \"]\"");
            if (!s) return nullptr;
            step = *s;
          }
          if (Peek().type != Tok::kRBracket) return Unexpected("subquery selector, expected \"]\"");
          Next();
          ValueType vt = TypeOf(*e);
          if (vt != ValueType::kVector) {
            return Fail(pos, "subquery is only allowed on instant vector, got " +
                                 std::string(ValueTypeName(vt)) + " instead");
          }
          if (*range <= 0) return Fail(pos, "subquery range must be greater than 0");
          auto sq = std::make_shared<SubqueryExpr>();
          sq->pos = e->pos;
          sq->expr = e;
          sq->range_ms = *range;
          sq->step_ms = step;
          e = sq;
          continue;
        }
        if (Peek().type != Tok::kRBracket) return Unexpected("range, expected \"]\"");
        Next();
        if (e->kind != ExprKind::kVectorSelector) {
          return Fail(pos, "ranges only allowed for vector selectors");
        }
        auto vs = std::static_pointer_cast<const VectorSelector>(e);
        if (vs->mods.has_offset) return Fail(pos, "no offset modifiers allowed before range");
        if (vs->mods.at != AtKind::kNone) return Fail(pos, "no @ modifiers allowed before range");
        if (*range <= 0) return Fail(pos, "range must be greater than 0");
        auto ms = std::make_shared<MatrixSelector>();
        ms->pos = e->pos;
        ms->vs = std::const_pointer_cast<VectorSelector>(vs);
        ms->range_ms = *range;
        e = ms;
      } else if (PeekKeyword("offset")) {
        int pos = t.pos;
        Next();
        int64_t sign = 1;
        if (Peek().type == Tok::kSub || Peek().type == Tok::kAdd) {
          sign = Peek().type == Tok::kSub ? -1 : 1;
          Next();
        }
        auto d = ParseDurationValue("offset, expected duration");
        if (!d) return nullptr;
        TimeModifiers* mods = MutableMods(e);
        if (mods == nullptr) {
          return Fail(pos,
                      "offset modifier must be preceded by an instant vector selector or "
                      "range vector selector or a subquery");
        }
        if (mods->has_offset) return Fail(pos, "offset may not be set multiple times");
        mods->has_offset = true;
        mods->offset_ms = sign * *d;
      } else if (t.type == Tok::kAt) {
        int pos = t.pos;
        Next();
        TimeModifiers parsed;
        if (PeekKeyword("start") || PeekKeyword("end")) {
          parsed.at = PeekKeyword("start") ? AtKind::kStart : AtKind::kEnd;
          Next();
          if (Peek().type != Tok::kLParen) return Unexpected("@ modifier, expected \"(\"");
          Next();
          if (Peek().type != Tok::kRParen) return Unexpected("@ modifier, expected \")\"");
          Next();
        } else {
          double sign = 1;
          if (Peek().type == Tok::kSub || Peek().type == Tok::kAdd) {
            sign = Peek().type == Tok::kSub ? -1 : 1;
            Next();
          }
          double secs;
          if (Peek().type == Tok::kNumber) {
            secs = Peek().number;
          } else if (Peek().type == Tok::kDuration) {
            if (ZeroDuration(Peek())) return nullptr;
            secs = static_cast<double>(Peek().duration_ms) / 1000.0;
          } else {
            return Unexpected("@ modifier, expected timestamp");
          }
          Next();
          secs *= sign;
          double ms = std::round(secs * 1000.0);
          if (!std::isfinite(ms) || ms > 9.2e18 || ms < -9.2e18) {
            return Fail(pos, "timestamp out of bounds for @ modifier: " + std::to_string(secs));
          }
          parsed.at = AtKind::kTimestamp;
          parsed.at_ms = static_cast<TimestampMs>(ms);
        }
        TimeModifiers* mods = MutableMods(e);
        if (mods == nullptr) {
          return Fail(pos,
                      "@ modifier must be preceded by an instant vector selector or range "
                      "vector selector or a subquery");
        }
        if (mods->at != AtKind::kNone)
          return Fail(pos, "@ <timestamp> may not be set multiple times");
        mods->at = parsed.at;
        mods->at_ms = parsed.at_ms;
      } else {
        break;
      }
    }
    return failed() ? nullptr : e;
  }

  TimeModifiers* MutableMods(const ExprPtr& e) {
    Expr* m = const_cast<Expr*>(e.get());  // nodes are still private to the parser here
    switch (m->kind) {
      case ExprKind::kVectorSelector:
        return &static_cast<VectorSelector*>(m)->mods;
      case ExprKind::kMatrixSelector:
        return &static_cast<MatrixSelector*>(m)->vs->mods;
      case ExprKind::kSubquery:
        return &static_cast<SubqueryExpr*>(m)->mods;
      default:
        return nullptr;
    }
  }

  ExprPtr ParseAggregate(AggOp op, int pos) {
    auto agg = std::make_shared<AggregateExpr>();
    agg->op = op;
    agg->pos = pos;
    bool have_grouping = false;
    auto parse_grouping = [&]() -> bool {
      if (PeekKeyword("by") || PeekKeyword("without")) {
        if (have_grouping) {
          Unexpected("aggregation");
          return false;
        }
        agg->without = PeekKeyword("without");
        Next();
        have_grouping = true;
        return ParseLabelList(agg->grouping);
      }
      return true;
    };
    if (!parse_grouping()) return nullptr;
    if (Peek().type != Tok::kLParen) return Unexpected("aggregation, expected \"(\"");
    int args_pos = Peek().pos;
    Next();
    std::vector<ExprPtr> args;
    if (Peek().type != Tok::kRParen) {
      while (true) {
        ExprPtr a = ParseExpr(0);
        if (!a) return nullptr;
        args.push_back(a);
        if (Peek().type == Tok::kComma) {
          Next();
          if (Peek().type == Tok::kRParen) break;
          continue;
        }
        if (Peek().type != Tok::kRParen) return Unexpected("aggregation, expected \")\" or \",\"");
        break;
      }
    }
    Next();
    if (!parse_grouping()) return nullptr;
    size_t want = AggHasParam(op) ? 2 : 1;
    if (args.size() != want) {
      return Fail(args_pos,
                  "wrong number of arguments for aggregate expression provided, "
                  "expected " +
                      std::to_string(want) + ", got " + std::to_string(args.size()));
    }
    agg->expr = args.back();
    if (want == 2) agg->param = args[0];
    ValueType et = TypeOf(*agg->expr);
    if (et != ValueType::kVector) {
      return Fail(agg->expr->pos, "expected type instant vector in aggregation expression, got " +
                                      std::string(ValueTypeName(et)));
    }
    if (agg->param) {
      ValueType pt = TypeOf(*agg->param);
      ValueType want_t = op == AggOp::kCountValues ? ValueType::kString : ValueType::kScalar;
      if (pt != want_t) {
        return Fail(agg->param->pos, "expected type " + std::string(ValueTypeName(want_t)) +
                                         " in aggregation parameter, got " +
                                         std::string(ValueTypeName(pt)));
      }
    }
    return agg;
  }

  ExprPtr ParseCall(const std::string& name, int pos) {
    const Function* f = LookupFunction(name);
    if (f == nullptr) return Fail(pos, "unknown function with name \"" + name + "\"");
    Next();  // (
    auto call = std::make_shared<Call>();
    call->func = f;
    call->pos = pos;
    if (Peek().type != Tok::kRParen) {
      while (true) {
        ExprPtr a = ParseExpr(0);
        if (!a) return nullptr;
        call->args.push_back(a);
        if (Peek().type == Tok::kComma) {
          Next();
          if (Peek().type == Tok::kRParen) break;
          continue;
        }
        if (Peek().type != Tok::kRParen) {
          if (Peek().type == Tok::kEof) return Fail(Peek().pos, "unclosed left parenthesis");
          return Unexpected("function call, expected \")\" or \",\"");
        }
        break;
      }
    }
    Next();
    if (auto issue = CheckCall(*call, pos)) return Fail(issue->pos, issue->msg);
    return call;
  }

  bool CheckBinary(BinaryExpr& b, int op_pos) {
    if (auto issue = CheckBinaryExpr(b, op_pos)) {
      Fail(issue->pos, issue->msg);
      return false;
    }
    return true;
  }

  std::string_view input_;
  int depth_ = 0;
  std::vector<Token> toks_;
  size_t pos_ = 0;
  Status err_;
};

}  // namespace

Result<ExprPtr> Parse(std::string_view input) { return Parser(input).Run(); }

Result<std::vector<LabelMatcher>> ParseMetricSelector(std::string_view input) {
  return Parser(input).RunSelector();
}

}  // namespace tocsin::promql
