// The promtool unit-test file format (P:cmd/promtool/unittest.go as of Prometheus 2.42):
// rule_files, evaluation_interval, group_eval_order, tests with interval, input_series,
// alert_rule_test, promql_expr_test, external_labels, external_url, name. Parsed strictly:
// unknown keys are errors worded as Go's yaml package words them.
//
// Plain values; thread-safe to read.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tocsin::rules {

struct TestSeries {
  std::string series;
  std::string values;
};

struct ExpectedAlert {
  std::vector<std::pair<std::string, std::string>> labels;
  std::vector<std::pair<std::string, std::string>> annotations;
};

struct AlertTestCase {
  std::chrono::milliseconds eval_time{0};
  std::string alertname;
  std::vector<ExpectedAlert> exp_alerts;
};

struct ExpectedSample {
  std::string labels;  // series notation, parsed when the case runs
  double value = 0;
};

struct PromqlTestCase {
  std::string expr;
  std::chrono::milliseconds eval_time{0};
  std::vector<ExpectedSample> exp_samples;
};

struct TestGroup {
  std::chrono::milliseconds interval{0};  // 0: every input sample sits at t=0 (as promtool 2.42)
  std::vector<TestSeries> input_series;
  std::vector<AlertTestCase> alert_rule_test;
  std::vector<PromqlTestCase> promql_expr_test;
  std::vector<std::pair<std::string, std::string>> external_labels;
  std::string external_url;
  std::string name;
};

struct TestFile {
  std::vector<std::string> rule_files;               // as written
  std::chrono::milliseconds evaluation_interval{0};  // 0: unset (1m)
  std::vector<std::string> group_eval_order;
  std::vector<TestGroup> tests;
};

// Parses test-file text; on error returns false and sets `error` to promtool's text.
bool ParseTestFile(std::string_view text, std::string_view source, TestFile& out,
                   std::string& error);

}  // namespace tocsin::rules
