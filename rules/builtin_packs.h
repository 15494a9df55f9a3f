// Built-in rule packs: shipped rule files (rules/packs/node.yml, rules/packs/tocsin.yml) embedded
// byte for byte at build time, so that the built-in default config evaluates them wherever the
// binary runs (a source checkout, a node without /etc/tocsin/rules).
//
// `rule_files` names them as "builtin:<file name>" (a glob after the prefix matches pack names:
// "builtin:*.yml"). ExpandRuleFileGlobs (rule_file.h) leaves a built-in pack out when another
// entry matches a file on disk with the same file name, so /etc/tocsin/rules/node.yml replaces
// builtin:node.yml instead of loading the same rules twice. Static storage; thread-safe.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace tocsin::rules {

inline constexpr std::string_view kBuiltInRulePackPrefix = "builtin:";

struct BuiltInRulePack {
  std::string_view name;  // file name without the prefix, e.g. "node.yml"
  std::string_view text;  // the rule file's text
};

// Every built-in pack, sorted by name.
std::span<const BuiltInRulePack> BuiltInRulePacks();

// The text of pack `name` (without the prefix), or nullopt.
std::optional<std::string_view> BuiltInRulePackText(std::string_view name);

}  // namespace tocsin::rules
