#include "rules/check_rules.h"

#include <iostream>
#include <iterator>
#include <sstream>

#include "rules/rule_file.h"

namespace tocsin::rules {
namespace {

// Returns {failed, has_real_errors}.
std::pair<bool, bool> Report(const RuleFileLoad& load, const CheckRulesOptions& options,
                             std::ostream& out, std::ostream& err) {
  if (!load.ok()) {
    err << "  FAILED:\n";
    for (const auto& e : load.errors) err << e << "\n";
    out << "\n";
    return {true, true};
  }
  std::string lint = options.lint_duplicates ? DuplicateRulesLint(load.file) : "";
  if (!lint.empty()) {
    err << "  FAILED:\n" << lint << "\n";
    out << "\n";
    return {true, false};
  }
  out << "  SUCCESS: " << load.file.RuleCount() << " rules found\n\n";
  return {false, false};
}

}  // namespace

int RunCheckRules(const std::vector<std::string>& files, std::ostream& out, std::ostream& err) {
  return RunCheckRules(files, CheckRulesOptions{}, out, err);
}

int RunCheckRules(const std::vector<std::string>& files, const CheckRulesOptions& options,
                  std::ostream& out, std::ostream& err) {
  bool failed = false;
  bool errors = false;
  auto check = [&](const RuleFileLoad& load) {
    auto [file_failed, file_errors] = Report(load, options, out, err);
    failed = failed || file_failed;
    errors = errors || file_errors;
  };
  if (files.empty()) {
    out << "Checking standard input\n";
    std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    // promtool's rulefmt.Parse names no source, and returns before the blank line on an error.
    RuleFileLoad load = ParseRuleFile(text, "standard input", options.ignore_unknown_fields);
    const std::string prefix = "standard input: ";
    for (std::string& e : load.errors) {
      if (e.rfind(prefix, 0) == 0) e.erase(0, prefix.size());
    }
    if (!load.ok()) {
      err << "  FAILED:\n";
      for (const auto& e : load.errors) err << e << "\n";
      return 1;
    }
    check(load);
  }
  for (const auto& f : files) {
    out << "Checking " << f << "\n";
    out.flush();
    check(LoadRuleFile(f, options.ignore_unknown_fields));
  }
  if (errors) return 1;
  return failed && options.lint_fatal ? kLintFailureExitCode : 0;
}

}  // namespace tocsin::rules
