#include "rules/test_rules.h"

#include <glob.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <ostream>
#include <sstream>

#include "agent/core/regex.h"
#include "rules/test_file.h"
#include "rules/test_group.h"

namespace tocsin::rules {
namespace {

// filepath.Join(dir, rel) + filepath.Glob, with promtool's warning for a pattern matching nothing.
std::vector<std::string> ResolveRuleFiles(const std::string& test_file,
                                          const std::vector<std::string>& patterns,
                                          std::ostream& err) {
  std::filesystem::path dir = std::filesystem::path(test_file).parent_path();
  std::vector<std::string> out;
  for (const auto& p : patterns) {
    std::string full = p;
    if (!p.empty() && p[0] != '/') {
      full = (dir.empty() ? std::filesystem::path(p) : dir / p).lexically_normal().string();
    }
    glob_t g{};
    int rc = glob(full.c_str(), 0, nullptr, &g);
    if (rc != 0 || g.gl_pathc == 0) {
      err << "  WARNING: no file match pattern " << full << "\n";
    } else {
      for (size_t i = 0; i < g.gl_pathc; ++i) out.push_back(g.gl_pathv[i]);
    }
    globfree(&g);
  }
  return out;
}

// Go's regexp.MatchString: an unanchored search. Unnamed groups are matched as "".
bool MatchesRun(const std::string& name, const Regex* run) {
  return run == nullptr || run->Matches(name);
}

std::vector<std::string> RunFile(const std::string& path, const TestRulesOptions& options,
                                 const Regex* run, std::ostream& err) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {"open " + path + ": no such file or directory"};
  std::stringstream ss;
  ss << in.rdbuf();
  TestFile tf;
  std::string error;
  if (!ParseTestFile(ss.str(), path, tf, error)) return {error};
  std::vector<std::string> files = ResolveRuleFiles(path, tf.rule_files, err);
  auto eval_interval = tf.evaluation_interval.count() == 0 ? std::chrono::milliseconds(60000)
                                                           : tf.evaluation_interval;
  std::map<std::string, size_t> order;
  for (size_t i = 0; i < tf.group_eval_order.size(); ++i) {
    if (!order.emplace(tf.group_eval_order[i], i).second) {
      return {"group name repeated in evaluation order: " + tf.group_eval_order[i]};
    }
  }
  GroupRunOptions go;
  go.eval_interval = eval_interval;
  go.group_order = &order;
  go.rule_files = &files;
  go.fuzzy_compare = tf.fuzzy_compare;
  go.ignore_unknown_fields = options.ignore_unknown_fields;
  std::vector<std::string> errs;
  for (auto& tg : tf.tests) {
    if (!MatchesRun(tg.name, run)) continue;
    // Prometheus 3: a group without `interval` spaces its samples by evaluation_interval.
    if (tg.interval.count() == 0) tg.interval = eval_interval;
    auto e = RunTestGroup(tg, go);
    errs.insert(errs.end(), e.begin(), e.end());
  }
  return errs;
}

}  // namespace

int RunTestRules(const std::vector<std::string>& files, std::ostream& out, std::ostream& err) {
  return RunTestRules(files, TestRulesOptions{}, out, err);
}

int RunTestRules(const std::vector<std::string>& files, const TestRulesOptions& options,
                 std::ostream& out, std::ostream& err) {
  std::optional<Regex> run;
  if (!options.run.empty()) {
    std::string joined;
    for (const auto& r : options.run) joined += (joined.empty() ? "" : "|") + r;
    auto compiled = Regex::Compile(joined, Regex::Anchoring::kNone);
    if (!compiled.ok()) {
      err << "invalid --run regular expression " << joined << ": " << compiled.status().message()
          << "\n";
      return 2;
    }
    run = std::move(*compiled);
  }
  bool failed = false;
  for (const auto& f : files) {
    // Prometheus 3 no longer prints the "Unit Testing:  <file>" header of 2.x.
    auto errs = RunFile(f, options, run ? &*run : nullptr, err);
    if (!errs.empty()) {
      err << "  FAILED:\n";
      for (const auto& e : errs) {
        err << e << "\n";
        out << "\n";
      }
      failed = true;
    } else {
      out << "  SUCCESS\n";
    }
    out << "\n";
    out.flush();
    err.flush();
  }
  return failed ? 1 : 0;
}

}  // namespace tocsin::rules
