// Rule files: Prometheus's rule-file schema (groups of alerting and recording rules) loaded from
// YAML into plain structs, with every validation error Prometheus's rulefmt reports, in
// promtool's text:
//   "rules.yml: 5:11: group \"g\", rule 1, \"HighErrorRate\": could not parse expression: ..."
//
// Expressions are parsed with promql::Parse and alert label/annotation templates with the
// template parser at load time, so a loaded RuleFile is ready to evaluate. Loaded structs are
// immutable values (parsed expressions and templates are shared, const); thread-safe to read.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/config/yaml.h"
#include "agent/promql/engine.h"
#include "rules/template/ast.h"

namespace tocsin::rules {

// A label or annotation: name, template text, and for alerting rules the parsed template.
struct TemplatedPair {
  std::string name;
  std::string text;
  std::shared_ptr<const tmpl::Tree> tmpl;  // null for recording rules
};

struct RuleSpec {
  enum class Kind { kAlerting, kRecording };
  Kind kind = Kind::kAlerting;
  std::string name;  // the `alert` or `record` value
  std::string expr_text;
  promql::ExprPtr expr;
  std::chrono::milliseconds for_duration{0};
  std::chrono::milliseconds keep_firing_for{0};
  std::vector<TemplatedPair> labels;       // document order
  std::vector<TemplatedPair> annotations;  // document order
};

struct GroupSpec {
  std::string name;
  std::optional<std::chrono::milliseconds> interval;      // unset: the global default
  std::optional<std::chrono::milliseconds> query_offset;  // unset: the global default
  int64_t limit = 0;
  std::vector<std::pair<std::string, std::string>> labels;  // group labels (Prometheus 3)
  std::vector<RuleSpec> rules;
};

struct RuleFile {
  std::string source;  // file name as given
  std::vector<GroupSpec> groups;
  size_t RuleCount() const;
};

struct RuleFileLoad {
  RuleFile file;
  // Each error is complete, prefixed with the source ("file: 3:5: group ..."); YAML type errors
  // come as one multi-line error, as Go's yaml package prints them.
  std::vector<std::string> errors;
  bool ok() const { return errors.empty(); }
};

// Parses and validates rule-file text. `source` prefixes every error. With
// `ignore_unknown_fields` (promtool's --ignore-unknown-fields) unknown keys are skipped.
RuleFileLoad ParseRuleFile(std::string_view text, std::string_view source,
                           bool ignore_unknown_fields = false);
// The files `rule_files` globs match, sorted and without duplicates; a pattern matching nothing
// is not an error (as in Prometheus). "builtin:<glob>" entries name built-in packs
// (builtin_packs.h) and must match at least one; they come last, and a pack is left out when a
// file on disk of the same file name was matched (that file replaces it).
Result<std::vector<std::string>> ExpandRuleFileGlobs(const std::vector<std::string>& patterns);

// Reads and parses a file; a read error is "<path>: open <path>: no such file or directory".
// "builtin:<name>" parses the built-in pack of that name.
RuleFileLoad LoadRuleFile(const std::string& path, bool ignore_unknown_fields = false);

// promtool's duplicate-rule lint: rules with the same name and labels across the file.
// Returns "" when there are none, otherwise the lint message promtool prints.
std::string DuplicateRulesLint(const RuleFile& file);

}  // namespace tocsin::rules
