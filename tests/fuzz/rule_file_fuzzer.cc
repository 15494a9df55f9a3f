// libFuzzer target: the rule-file loader (YAML -> groups, rulefmt validation, PromQL parse) and
// the alert-template parser/renderer must never crash on any input.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "rules/rule_file.h"
#include "rules/template/parser.h"
#include "rules/template/render.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  tocsin::rules::RuleFileLoad load = tocsin::rules::ParseRuleFile(text, "fuzz.yml");
  (void)tocsin::rules::DuplicateRulesLint(load.file);
  auto tree = tocsin::rules::tmpl::ParseAlertTemplate(text, "Fuzz");
  if (tree.ok()) {
    tocsin::Labels labels{{"instance", "a:1"}, {"job", "j"}};
    tocsin::rules::tmpl::AlertTemplateData d;
    d.labels = &labels;
    d.value = 1.5;
    (void)tocsin::rules::tmpl::Render(*tree, d);
  }
  return 0;
}
