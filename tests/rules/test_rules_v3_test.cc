// Prometheus 3's own promtool unit-test fixtures (v3/promtool3/, copied unchanged from
// cmd/promtool/testdata at v3.14.0), which need 3.x keys or behaviour, so promtool 2.42 cannot be
// the oracle: the outcome each must have is the one cmd/promtool/unittest_test.go asserts, and
// the failure texts are unittest.go's formats.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>
#include <string>

#include "rules/test_file.h"
#include "rules/test_rules.h"

namespace tocsin::rules {
namespace {

struct FixtureRun {
  int rc;
  std::string out, err;
};

FixtureRun RunFixture(const std::string& name, const TestRulesOptions& options = {},
                      const std::string& subdir = "/v3/promtool3/") {
  const std::string dir = std::string(TOCSIN_TEST_DATA_DIR) + subdir;
  std::ostringstream out, err;
  int rc = RunTestRules({dir + name}, options, out, err);
  std::string e = err.str();
  for (size_t p; (p = e.find(dir)) != std::string::npos;) e.erase(p, dir.size());
  return {rc, out.str(), e};
}

// unittest_test.go: "Passing Unit Tests", "No test group interval", "Start time tests" want 0.
// unittest.yml covers native-histogram input series ({{...}}, {{...}}x2, {{...}}+{{...}}x2),
// exp_samples histogram (with the counter_reset_hint the TSDB reads back), groups without
// interval and the subquery step taken from evaluation_interval.
TEST(TestRulesV3, PassingFixtures) {
  for (const char* f : {"unittest.yml", "no-test-group-interval.yml", "start-time-test.yml"}) {
    FixtureRun r = RunFixture(f);
    EXPECT_EQ(r.rc, 0) << f << "\n" << r.err;
    EXPECT_EQ(r.out, "  SUCCESS\n\n") << f;  // no 2.x "Unit Testing:" header
    EXPECT_EQ(r.err, "") << f;
  }
}

TEST(TestRulesV3, RunSelectsGroups) {
  const std::string wrong =
      "  FAILED:\n"
      "    expr: \"test\", time: 0s,\n"
      "        exp: {__name__=\"test\"} 1E+00\n"
      "        got: {__name__=\"test\"} 0E+00\n";
  FixtureRun all = RunFixture("rules_run.yml");  // "Test all without run arg": 1
  EXPECT_EQ(all.rc, 1);
  EXPECT_EQ(all.err, wrong);
  EXPECT_EQ(all.out, "\n\n");
  FixtureRun both = RunFixture("rules_run.yml", {.run = {"correct", "wrong"}});
  EXPECT_EQ(both.rc, 1);
  FixtureRun correct = RunFixture("rules_run.yml", {.run = {"correct"}});
  EXPECT_EQ(correct.rc, 0) << correct.err;
  EXPECT_EQ(correct.out, "  SUCCESS\n\n");
  FixtureRun only_wrong = RunFixture("rules_run.yml", {.run = {"wrong"}});
  EXPECT_EQ(only_wrong.rc, 1);
  EXPECT_EQ(only_wrong.err, wrong);
}

TEST(TestRulesV3, IgnoreUnknownFieldsInRuleFiles) {
  FixtureRun strict = RunFixture("rules_run_extrafields.yml");
  EXPECT_EQ(strict.rc, 1);
  EXPECT_EQ(strict.err,
            "  FAILED:\n"
            "rules_extrafields.yml: yaml: unmarshal errors:\n"
            "  line 7: field namespace not found in type rulefmt.RuleGroup\n"
            "  line 21: field ownership not found in type rulefmt.RuleGroup\n");
  FixtureRun lenient =
      RunFixture("rules_run_extrafields.yml", {.run = {}, .ignore_unknown_fields = true});
  EXPECT_EQ(lenient.rc, 0) << lenient.err;
}

TEST(TestRulesV3, FuzzyCompare) {
  FixtureRun exact = RunFixture("rules_run_no_fuzzy.yml");  // fuzzy_compare: false
  EXPECT_EQ(exact.rc, 1);
  EXPECT_EQ(exact.err,
            "  FAILED:\n"
            "    expr: \"test_low\", time: 0s,\n"
            "        exp: {__name__=\"test_low\"} 3E+00\n"
            "        got: {__name__=\"test_low\"} 2.9999999999999996E+00\n"
            "    expr: \"test_high\", time: 0s,\n"
            "        exp: {__name__=\"test_high\"} 3E+00\n"
            "        got: {__name__=\"test_high\"} 3.0000000000000004E+00\n");
  // One ulp apart passes; four ulps apart still fails.
  FixtureRun correct = RunFixture("rules_run_fuzzy.yml", {.run = {"correct"}});
  EXPECT_EQ(correct.rc, 0) << correct.err;
  FixtureRun wrong = RunFixture("rules_run_fuzzy.yml", {.run = {"wrong"}});
  EXPECT_EQ(wrong.rc, 1);
  EXPECT_EQ(wrong.err,
            "  FAILED:\n"
            "    expr: \"test_low\", time: 0s,\n"
            "        exp: {__name__=\"test_low\"} 3E+00\n"
            "        got: {__name__=\"test_low\"} 2.9999999999999987E+00\n"
            "    expr: \"test_high\", time: 0s,\n"
            "        exp: {__name__=\"test_high\"} 3E+00\n"
            "        got: {__name__=\"test_high\"} 3.0000000000000013E+00\n");
}

TEST(TestRulesV3, EvalErrorTimeIsSinceTheEpoch) {
  FixtureRun r = RunFixture("start_eval_error.fail.test.yml", {}, "/v3/");
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err,
            "  FAILED:\n"
            "    rule: joined, time: 473352h0m0s, err: found duplicate series for the match group "
            "{a=\"1\"} on the right hand-side of the operation: [{__name__=\"join_2\", a=\"1\", "
            "b=\"4\"}, {__name__=\"join_2\", a=\"1\", b=\"3\"}];many-to-many matching not "
            "allowed: matching labels must be unique on one side\n");
}

TEST(TestRulesV3, InvalidRunExpressionIsAUsageError) {
  std::ostringstream out, err;
  EXPECT_EQ(RunTestRules({"x.yml"}, {.run = {"("}}, out, err), 2);
}

TEST(TestFile, StartTimestampForms) {
  struct Case {
    const char* text;
    int64_t ms;
  } ok[] = {{"1609459200", 1609459200000},
            {"1.5", 1500},
            {"2024-01-01T00:00:00Z", 1704067200000},
            {"2024-01-01T01:00:00.25+01:00", 1704067200250},
            {"0", 0}};
  for (const auto& c : ok) {
    int64_t ms = -1;
    std::string error;
    EXPECT_TRUE(ParseTestTimestamp(c.text, ms, error)) << c.text << ": " << error;
    EXPECT_EQ(ms, c.ms) << c.text;
  }
  int64_t ms = 0;
  std::string error;
  EXPECT_FALSE(ParseTestTimestamp("yesterday", ms, error));
  EXPECT_EQ(error, "cannot parse \"yesterday\" to a valid timestamp");
}

TEST(TestFile, NewKeysDecodeAndUnknownKeysStayErrors) {
  TestFile tf;
  std::string error;
  ASSERT_TRUE(ParseTestFile(R"(fuzzy_compare: true
tests:
- start_timestamp: 2024-01-01T00:00:00Z
  promql_expr_test:
  - expr: h
    exp_samples: [{labels: h, histogram: '{{count:1}}'}]
)",
                            "t.yml", tf, error))
      << error;
  EXPECT_TRUE(tf.fuzzy_compare);
  ASSERT_EQ(tf.tests.size(), 1u);
  EXPECT_EQ(tf.tests[0].start_ms, 1704067200000);
  EXPECT_EQ(tf.tests[0].promql_expr_test.at(0).exp_samples.at(0).histogram, "{{count:1}}");

  TestFile bad;
  EXPECT_FALSE(ParseTestFile("tests:\n- start_time: 0\n  fuzzy: 1\n", "t.yml", bad, error));
  EXPECT_EQ(error,
            "yaml: unmarshal errors:\n"
            "  line 2: field start_time not found in type main.testGroup\n"
            "  line 3: field fuzzy not found in type main.testGroup");
  EXPECT_FALSE(ParseTestFile("tests:\n- start_timestamp: soon\n", "t.yml", bad, error));
  EXPECT_EQ(error, "cannot parse \"soon\" to a valid timestamp");
}

}  // namespace
}  // namespace tocsin::rules
