// One test group of a promtool unit-test file (P:cmd/promtool/unittest.go testGroup.test, as of
// Prometheus 3.14): loads the input series (floats into a SeriesStore, native histograms into an
// overlay, with the counter-reset hints Prometheus's TSDB gives them when read back), evaluates
// the rule groups step by step, checks alert_rule_test at the evaluation covering each eval_time
// and promql_expr_test afterwards. Returns promtool's error texts; empty when the group passed.
//
// Stateless function; each call owns its store and engine. Thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "rules/test_file.h"

namespace tocsin::rules {

struct GroupRunOptions {
  std::chrono::milliseconds eval_interval{60000};
  const std::map<std::string, size_t>* group_order = nullptr;  // group_eval_order positions
  const std::vector<std::string>* rule_files = nullptr;        // resolved paths
  bool fuzzy_compare = false;
  bool ignore_unknown_fields = false;
};

// `tg.interval` must already be defaulted (promtool uses evaluation_interval when unset).
std::vector<std::string> RunTestGroup(const TestGroup& tg, const GroupRunOptions& options);

}  // namespace tocsin::rules
