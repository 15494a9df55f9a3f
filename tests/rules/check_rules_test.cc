#include "rules/check_rules.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "rules/rule_file.h"

namespace tocsin::rules {
namespace {

namespace fs = std::filesystem;

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string StripDir(std::string s, const std::string& dir) {
  for (size_t pos; (pos = s.find(dir)) != std::string::npos;) s.erase(pos, dir.size());
  return s;
}

// testdata/check/<name>.yml with <name>.out / <name>.err: promtool 2.42's output for the file
// (bad_mixed.bad.err and invalid_record_name.bad.err also have Prometheus 3's braces message,
// which tocsin adds). aliases.lint.yml (Prometheus's model/rulefmt/testdata/test_aliases.yaml)
// has Prometheus 3's lint: 2.42 names a rule written as a YAML alias (`alert: *name`) by the
// alias ("Metric: alertname"), 3.x by its value.
TEST(CheckRules, MatchesRecordedPromtoolOutput) {
  fs::path dir = fs::path(TOCSIN_TEST_DATA_DIR) / "testdata" / "check";
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".yml") continue;
    ++files;
    fs::path base = entry.path();
    base.replace_extension();
    std::ostringstream out, err;
    int rc = RunCheckRules({entry.path().string()}, out, err);
    std::string prefix = dir.string() + "/";
    EXPECT_EQ(StripDir(out.str(), prefix), ReadAll(base.string() + ".out")) << entry.path();
    EXPECT_EQ(StripDir(err.str(), prefix), ReadAll(base.string() + ".err")) << entry.path();
    bool bad = entry.path().filename().string().find(".bad.") != std::string::npos;
    EXPECT_EQ(rc, bad ? 1 : 0) << entry.path();
  }
  EXPECT_GE(files, 11);
}

TEST(CheckRules, SeedAlertsPass) {
  std::string path = std::string(TOCSIN_TEST_DATA_DIR) + "/parity/rules/seed_alerts.yml";
  std::ostringstream out, err;
  EXPECT_EQ(RunCheckRules({path}, out, err), 0) << err.str();
  EXPECT_NE(out.str().find("SUCCESS: 5 rules found"), std::string::npos) << out.str();
}

// Ceph's shipped alerts (Debian package ceph-prometheus-alerts).
TEST(CheckRules, CephDefaultAlertsPass) {
  const std::string path = "/etc/prometheus/ceph/ceph_default_alerts.yml";
  ASSERT_TRUE(fs::exists(path)) << "install the Debian package ceph-prometheus-alerts";
  RuleFileLoad load = LoadRuleFile(path);
  ASSERT_TRUE(load.ok()) << load.errors[0];
  EXPECT_EQ(load.file.RuleCount(), 58u);
  std::ostringstream out, err;
  EXPECT_EQ(RunCheckRules({path}, out, err), 0) << err.str();
  EXPECT_NE(out.str().find("SUCCESS: 58 rules found"), std::string::npos);
}

TEST(CheckRules, MissingFileFails) {
  std::ostringstream out, err;
  EXPECT_EQ(RunCheckRules({"/nonexistent/x.yml"}, out, err), 1);
  EXPECT_EQ(err.str(),
            "  FAILED:\n/nonexistent/x.yml: open /nonexistent/x.yml: no such file or directory\n");
}

TEST(RuleFile, LoadsEveryField) {
  RuleFileLoad load = ParseRuleFile(R"(groups:
- name: g
  interval: 30s
  query_offset: 1m
  limit: 7
  labels: {team: a}
  rules:
  - alert: A
    expr: up == 0
    for: 5m
    keep_firing_for: 10m
    labels: {z: "1", a: "{{ $labels.job }}"}
    annotations: {s: hi}
  - record: job:up
    expr: sum by (job) (up)
)",
                                    "f.yml");
  ASSERT_TRUE(load.ok()) << load.errors[0];
  const GroupSpec& g = load.file.groups.at(0);
  EXPECT_EQ(g.interval, std::chrono::seconds(30));
  EXPECT_EQ(g.query_offset, std::chrono::minutes(1));
  EXPECT_EQ(g.limit, 7);
  ASSERT_EQ(g.labels.size(), 1u);
  ASSERT_EQ(g.rules.size(), 2u);
  const RuleSpec& a = g.rules[0];
  EXPECT_EQ(a.kind, RuleSpec::Kind::kAlerting);
  EXPECT_EQ(a.for_duration, std::chrono::minutes(5));
  EXPECT_EQ(a.keep_firing_for, std::chrono::minutes(10));
  ASSERT_EQ(a.labels.size(), 2u);
  EXPECT_EQ(a.labels[0].name, "z");  // document order
  EXPECT_NE(a.labels[1].tmpl, nullptr);
  EXPECT_NE(a.expr, nullptr);
  EXPECT_EQ(g.rules[1].kind, RuleSpec::Kind::kRecording);
  EXPECT_EQ(g.rules[1].labels.size(), 0u);
}

TEST(RuleFile, ErrorsCarryPositions) {
  struct Case {
    const char* yaml;
    const char* error;
  } cases[] = {
      {"groups:\n- name: g\n  rules:\n  - record: 'a b'\n    expr: up\n",
       "f.yml: 4:13: group \"g\", rule 1, \"a b\": invalid recording rule name: a b"},
      {"groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up\n    labels: {__name__: x}\n",
       "f.yml: group \"g\", rule 1, \"A\": invalid label name: __name__"},
      {"groups:\n- name: g\n  labels: {'a-b': x}\n  rules: []\n", "f.yml: invalid label name: a-b"},
      {"groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up\n    for: 1x\n",
       "f.yml: not a valid duration string: \"1x\""},
      {"groups: 3\n",
       "f.yml: yaml: unmarshal errors:\n  line 1: cannot unmarshal !!int `3` into "
       "[]rulefmt.RuleGroup"},
  };
  RuleFileLoad bad_expr =
      ParseRuleFile("groups:\n- name: g\n  rules:\n  - alert: A\n    expr: sum(up\n", "f.yml");
  ASSERT_FALSE(bad_expr.ok());
  EXPECT_EQ(bad_expr.errors[0].rfind(
                "f.yml: 5:11: group \"g\", rule 1, \"A\": could not parse expression: 1:", 0),
            0u)
      << bad_expr.errors[0];
  for (const auto& c : cases) {
    RuleFileLoad load = ParseRuleFile(c.yaml, "f.yml");
    ASSERT_FALSE(load.ok()) << c.yaml;
    EXPECT_EQ(load.errors[0], c.error) << c.yaml;
  }
}

}  // namespace
}  // namespace tocsin::rules
