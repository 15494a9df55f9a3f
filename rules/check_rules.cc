#include "rules/check_rules.h"

#include <iostream>
#include <iterator>
#include <sstream>

#include "rules/rule_file.h"

namespace tocsin::rules {
namespace {

// Returns {failed, has_real_errors}.
std::pair<bool, bool> Report(const RuleFileLoad& load, std::ostream& out, std::ostream& err) {
  if (!load.ok()) {
    err << "  FAILED:\n";
    for (const auto& e : load.errors) err << e << "\n";
    out << "\n";
    return {true, true};
  }
  std::string lint = DuplicateRulesLint(load.file);
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
  bool errors = false;
  if (files.empty()) {
    out << "Checking standard input\n";
    std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    errors = Report(ParseRuleFile(text, "standard input"), out, err).second;
  }
  for (const auto& f : files) {
    out << "Checking " << f << "\n";
    out.flush();
    errors = Report(LoadRuleFile(f), out, err).second || errors;
  }
  return errors ? 1 : 0;
}

}  // namespace tocsin::rules
