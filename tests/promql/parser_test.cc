#include <gtest/gtest.h>

#include "agent/promql/ast.h"
#include "agent/promql/engine.h"

namespace tocsin::promql {
namespace {

std::string RoundTrip(std::string_view in) {
  auto e = Parse(in);
  if (!e.ok()) return "ERROR: " + e.status().message();
  return ToString(**e);
}

TEST(ParserTest, PrintsLikePrometheus) {
  struct Case {
    const char* in;
    const char* out;
  } cases[] = {
      {"1", "1"},
      {"0x1F", "31"},
      {"1e3", "1000"},
      {"1e6", "1e+06"},
      {".5", "0.5"},
      {"-0.2e-6", "-2e-07"},
      {"Inf", "+Inf"},
      {"-inf", "-Inf"},
      {"nAn", "NaN"},
      {"'a\\nb'", "\"a\\nb\""},
      {"`raw\\n`", "\"raw\\\\n\""},
      {"foo", "foo"},
      {"foo{b=\"2\", a=~\"1\"}", "foo{a=~\"1\",b=\"2\"}"},
      {"{__name__=~\"a|b\"}", "{__name__=~\"a|b\"}"},
      {"{\"my.metric\"}", "{\"my.metric\"}"},
      // A name spelled like a number literal stays quoted (found by the fuzzer).
      {"{\"nan\"}", "{\"nan\"}"},
      {"sum by (\"Inf\") (x)", "sum by (\"Inf\") (x)"},
      // A signed literal before ^ stays grouped, so printing is a fixed point.
      {"-1e400 ^ -1", "-(+Inf) ^ -1"},
      {"-(+Inf) ^ -1", "-(+Inf) ^ -1"},
      {"(+Inf) ^ -1", "(+Inf) ^ -1"},
      {"(-2) ^ 2", "(-2) ^ 2"},
      // Quoted (UTF-8) label names in grouping lists stay quoted (found by the fuzzer).
      {"SUM(hs) BY ('ajob4t\\'atm')", "sum by (\"ajob4t'atm\") (hs)"},
      {"a + on(\"k.8s\", job) group_left(\"x y\") b",
       "a + on (\"k.8s\", job) group_left (\"x y\") b"},
      {"foo[5m]", "foo[5m]"},
      {"foo[90s]", "foo[1m30s]"},
      {"foo[100]", "foo[1m40s]"},
      {"foo offset 5m", "foo offset 5m"},
      {"foo offset -5m", "foo offset -5m"},
      {"foo @ 100", "foo @ 100.000"},
      {"foo[5m] offset 1m @ 10", "foo[5m] @ 10.000 offset 1m"},
      {"foo @ start()", "foo @ start()"},
      {"rate(foo[5m])[30m:1m]", "rate(foo[5m])[30m:1m]"},
      {"(a + b)[5m:]", "(a + b)[5m:]"},
      {"a + b * c", "a + b * c"},
      {"(a + b) * c", "(a + b) * c"},
      {"a > bool 1", "a > bool 1"},
      {"a * on(x, y) group_left(z) b", "a * on (x, y) group_left (z) b"},
      {"a * ignoring(x) group_right b", "a * ignoring (x) group_right () b"},
      {"a and on() b", "a and on () b"},
      {"SUM(x) BY (job)", "sum by (job) (x)"},
      {"sum without (a) (x)", "sum without (a) (x)"},
      {"sum by () (x)", "sum(x)"},
      {"topk(5, x)", "topk(5, x)"},
      {"count_values(\"v\", x)", "count_values(\"v\", x)"},
      {"label_replace(x, \"a\", \"$1\", \"b\", \"(.*)\")",
       "label_replace(x, \"a\", \"$1\", \"b\", \"(.*)\")"},
      {"-x", "-x"},
      {"- - - 1", "-1"},
      {"+x", "+x"},
      {"time()", "time()"},
      {"1h", "3600"},
      {"sum(x,)",
       "ERROR: 1:1: parse error: wrong number of arguments for aggregate expression provided, "
       "expected 1, got 1"},
  };
  for (const auto& c : cases) {
    if (std::string_view(c.out).starts_with("ERROR")) continue;
    EXPECT_EQ(RoundTrip(c.in), c.out) << c.in;
    // The printed form parses back to itself.
    EXPECT_EQ(RoundTrip(RoundTrip(c.in)), c.out) << c.in;
  }
}

TEST(ParserTest, Precedence) {
  auto e = Parse("-2^---1*3");
  ASSERT_TRUE(e.ok());
  // Unary minus binds looser than ^ and tighter than *.
  const auto& b = static_cast<const BinaryExpr&>(**e);
  ASSERT_EQ(b.kind, ExprKind::kBinary);
  EXPECT_EQ(b.op, BinOp::kMul);
  EXPECT_EQ(ToString(*b.lhs), "-2 ^ -1");
  auto p = Parse("2 ^ 3 ^ 2");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(ToString(*static_cast<const BinaryExpr&>(**p).rhs), "3 ^ 2");  // right-assoc
  auto q = Parse("a or b and c unless d == e + f");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(static_cast<const BinaryExpr&>(**q).op, BinOp::kOr);
  auto r = Parse("a - b - c");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(ToString(*static_cast<const BinaryExpr&>(**r).lhs), "a - b");  // left-assoc
}

TEST(ParserTest, Types) {
  EXPECT_EQ(TypeOf(**Parse("1 + 2")), ValueType::kScalar);
  EXPECT_EQ(TypeOf(**Parse("x + 2")), ValueType::kVector);
  EXPECT_EQ(TypeOf(**Parse("x[5m]")), ValueType::kMatrix);
  EXPECT_EQ(TypeOf(**Parse("\"s\"")), ValueType::kString);
  EXPECT_EQ(TypeOf(**Parse("scalar(x)")), ValueType::kScalar);
}

TEST(ParserTest, PositionedErrors) {
  struct Case {
    const char* in;
    const char* err;
  } cases[] = {
      {"sum(x))", "1:7: parse error: unexpected right parenthesis ')'"},
      {"foo(x)", "1:1: parse error: unknown function with name \"foo\""},
      {"rate(x)",
       "1:6: parse error: expected type range vector in call to function \"rate\", "
       "got instant vector"},
      {"abs(x, y)", "1:1: parse error: expected 1 argument(s) in call to \"abs\", got 2"},
      {"{}", "1:1: parse error: vector selector must contain at least one non-empty matcher"},
      {"{a=~\".*\"}",
       "1:1: parse error: vector selector must contain at least one non-empty matcher"},
      {"1 > 2", "1:3: parse error: comparisons between scalars must use BOOL modifier"},
      {"x + bool y", "1:3: parse error: bool modifier can only be used on comparison operators"},
      {"1 and x", "1:3: parse error: set operator \"and\" not allowed in binary scalar expression"},
      {"x and on(a) group_left b", "1:3: parse error: no grouping allowed for \"and\" operation"},
      {"(x)[5m]", "1:4: parse error: ranges only allowed for vector selectors"},
      {"x[5m][1m:]",
       "1:6: parse error: subquery is only allowed on instant vector, got range "
       "vector instead"},
      {"sum(x) offset 5m",
       "1:8: parse error: offset modifier must be preceded by an instant "
       "vector selector or range vector selector or a subquery"},
      {"x offset 5m offset 1m", "1:13: parse error: offset may not be set multiple times"},
      {"foo{__name__=\"bar\"}",
       "1:1: parse error: metric name must not be set twice: \"foo\" or \"bar\""},
      {"-x[5m]",
       "1:1: parse error: unary expression only allowed on expressions of type scalar or "
       "instant vector, got \"range vector\""},
      {"x +", "1:4: parse error: unexpected end of input"},
      {"x{a=\"b\"", "1:8: parse error: unexpected end of input inside braces"},
      {"topk(x)",
       "1:5: parse error: wrong number of arguments for aggregate expression provided, "
       "expected 2, got 1"},
      {"\"unterminated", "1:1: parse error: unterminated quoted string"},
      {"", "1:1: parse error: no expression found in input"},
      {"x\n  + ]", "2:5: parse error: unexpected right bracket ']'"},
  };
  for (const auto& c : cases) {
    auto e = Parse(c.in);
    ASSERT_FALSE(e.ok()) << c.in;
    EXPECT_EQ(e.status().message(), c.err) << c.in;
  }
  auto re = Parse("x{a=~\"(\"}");
  ASSERT_FALSE(re.ok());
  EXPECT_TRUE(re.status().message().starts_with("1:6: parse error: error parsing regexp: "))
      << re.status().message();
}

}  // namespace
}  // namespace tocsin::promql
namespace tocsin::promql {
namespace {

// Prometheus's parseDuration refuses a zero duration literal (2.42 and 3.0, "duration must be
// greater than 0" at the literal); the number 0 is not a duration literal.
TEST(ParserTest, ZeroDurationLiteralsAreErrors) {
  struct Case {
    const char* in;
    const char* err;
  } cases[] = {
      {"x offset 0s", "1:10: parse error: duration must be greater than 0"},
      {"x offset -0s", "1:11: parse error: duration must be greater than 0"},
      {"vector(1) offset 0ms", "1:18: parse error: duration must be greater than 0"},
      {"x[0s]", "1:3: parse error: duration must be greater than 0"},
      {"rate(x[5m:0s])", "1:11: parse error: duration must be greater than 0"},
      {"rate(x[0s:1m])", "1:8: parse error: duration must be greater than 0"},
      {"x @ 0s", "1:5: parse error: duration must be greater than 0"},
      {"0m0s + 1", "1:1: parse error: duration must be greater than 0"},
  };
  for (const auto& c : cases) {
    auto e = Parse(c.in);
    ASSERT_FALSE(e.ok()) << c.in;
    EXPECT_EQ(e.status().message(), c.err) << c.in;
  }
  EXPECT_TRUE(Parse("x offset 0").ok());
  EXPECT_TRUE(Parse("x @ 0").ok());
  EXPECT_TRUE(Parse("rate(x[5m:])").ok());
}

// Nesting is bounded, so a query of a few thousand '(' is an error, not a stack overflow on the
// HTTP thread (found by the fuzzer under ASan).
TEST(ParserTest, DeepNestingIsAnErrorNotAStackOverflow) {
  auto nested = [](int n, const std::string& open, const std::string& close) {
    std::string s;
    for (int i = 0; i < n; ++i) s += open;
    s += "1";
    for (int i = 0; i < n; ++i) s += close;
    return s;
  };
  EXPECT_TRUE(Parse(nested(200, "(", ")")).ok());
  for (const std::string& deep :
       {nested(100000, "(", ")"), nested(100000, "-", ""), nested(100000, "abs(", ")")}) {
    auto e = Parse(deep);
    ASSERT_FALSE(e.ok());
    EXPECT_NE(e.status().message().find("nested more than 256 levels deep"), std::string::npos)
        << e.status().message();
  }
}

}  // namespace
}  // namespace tocsin::promql
