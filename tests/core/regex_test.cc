#include "agent/core/regex.h"

#include <gtest/gtest.h>

#include "agent/core/matcher.h"
#include "agent/store/queryable.h"

namespace tocsin {
namespace {

TEST(RegexTest, AnchoredLikePrometheus) {
  auto re = Regex::Compile("foo|bar");
  ASSERT_TRUE(re.ok());
  EXPECT_TRUE(re->Matches("foo"));
  EXPECT_TRUE(re->Matches("bar"));
  EXPECT_FALSE(re->Matches("foobar"));
  EXPECT_FALSE(re->Matches("xfoo"));
  auto dot = Regex::Compile("a.b");
  EXPECT_TRUE(dot->Matches("a\nb"));  // Prometheus 3: dot matches newline
}

TEST(RegexTest, InvalidPatternIsAnError) {
  auto re = Regex::Compile("a(b");
  ASSERT_FALSE(re.ok());
  EXPECT_NE(re.status().message().find("error parsing regexp"), std::string::npos);
}

TEST(RegexTest, ExpandsLikeGo) {
  auto re = Regex::Compile("(?P<host>[^:]+):(\\d+)");
  std::string out;
  ASSERT_TRUE(re->ExpandFullMatch("db-1:5432", "$host/${2}/$1x/$$", out));
  EXPECT_EQ(out, "db-1/5432//$");  // $1x names a group "1x", which does not exist
  EXPECT_FALSE(re->ExpandFullMatch("nope", "$1", out));
}

TEST(RegexTest, ReplaceAllUnanchored) {
  auto re = Regex::Compile("a+", Regex::Anchoring::kNone);
  EXPECT_EQ(re->ReplaceAll("baaacaa", "<$0>"), "b<aaa>c<aa>");
  auto empty = Regex::Compile("x*", Regex::Anchoring::kNone);
  EXPECT_EQ(empty->ReplaceAll("abc", "-"), "-a-b-c-");
}

TEST(MatcherTest, Ops) {
  auto eq = LabelMatcher::Equal("job", "api");
  EXPECT_TRUE(eq.Matches("api"));
  auto re = LabelMatcher::Make(MatchOp::kRegexNoMatch, "job", "ap.*");
  ASSERT_TRUE(re.ok());
  EXPECT_FALSE(re->Matches("api"));
  EXPECT_TRUE(re->Matches(""));
  EXPECT_EQ(re->ToString(), "job!~\"ap.*\"");
}

TEST(StaleTest, MarkerIsDistinctNaN) {
  EXPECT_TRUE(IsStaleNaN(StaleNaN()));
  EXPECT_FALSE(IsStaleNaN(std::numeric_limits<double>::quiet_NaN()));
}

}  // namespace
}  // namespace tocsin
