// The promtool unit-test file format (P:cmd/promtool/unittest.go as of Prometheus 3.14):
// rule_files, evaluation_interval, group_eval_order, fuzzy_compare, tests with interval,
// input_series, alert_rule_test, promql_expr_test (exp_samples with labels, value, histogram),
// external_labels, external_url, name, start_timestamp. Parsed strictly (yaml.UnmarshalStrict):
// unknown keys are errors worded as Go's yaml package words them.
//
// Plain values; thread-safe to read.
#pragma once

#include <chrono>
#include <cstdint>
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
  std::string histogram;  // native-histogram literal ({{...}}); "" for a float sample
};

struct PromqlTestCase {
  std::string expr;
  std::chrono::milliseconds eval_time{0};
  std::vector<ExpectedSample> exp_samples;
};

struct TestGroup {
  std::chrono::milliseconds interval{0};  // 0: unset (the file's evaluation_interval)
  std::vector<TestSeries> input_series;
  std::vector<AlertTestCase> alert_rule_test;
  std::vector<PromqlTestCase> promql_expr_test;
  std::vector<std::pair<std::string, std::string>> external_labels;
  std::string external_url;
  std::string name;
  int64_t start_ms = 0;  // start_timestamp (ms since the epoch): the time origin of the group
};

struct TestFile {
  std::vector<std::string> rule_files;               // as written
  std::chrono::milliseconds evaluation_interval{0};  // 0: unset (1m)
  std::vector<std::string> group_eval_order;
  std::vector<TestGroup> tests;
  bool fuzzy_compare = false;  // floats equal when at most one ulp apart
};

// Parses test-file text; on error returns false and sets `error` to promtool's text.
// promtool's parseTime: Unix seconds (a float) or RFC3339 with optional fraction and offset.
// On error returns false with promtool's message `cannot parse "x" to a valid timestamp`.
bool ParseTestTimestamp(const std::string& text, int64_t& ms, std::string& error);

bool ParseTestFile(std::string_view text, std::string_view source, TestFile& out,
                   std::string& error);

}  // namespace tocsin::rules
