// libFuzzer target for the Go text/template engine behind alert labels and annotations: the input
// is parsed as Prometheus parses an alert template (ParseAlertTemplate) and as a plain template
// with any function name allowed, and every tree that parses is rendered with fixed alert data
// ($labels, $externalLabels, $externalURL, $value, and a `query` that answers two samples).
// Parsing and rendering must succeed or fail with a Status (never crash, throw, leak or hang),
// and what renders must be valid UTF-8 no longer than the renderer's output bound.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent/core/labels.h"
#include "agent/core/utf8.h"
#include "rules/template/parser.h"
#include "rules/template/render.h"

namespace {

namespace tmpl = tocsin::rules::tmpl;

void RenderChecked(const tmpl::Tree& tree, const tmpl::AlertTemplateData& data) {
  tocsin::Result<std::string> out = tmpl::Render(tree, data);
  if (!out.ok()) return;
  if (out->size() > (1 << 20)) __builtin_trap();  // render.cc kMaxOutput
  if (!tocsin::ValidUtf8(*out)) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  static const tocsin::Labels labels{{"alertname", "HighLoad"},
                                     {"instance", "db-1.example.com:9100"},
                                     {"job", "node"},
                                     {"severity", "warning"}};
  static const tocsin::Labels external{{"cluster", "eu-1"}, {"node", "db-1"}};
  tmpl::AlertTemplateData d;
  d.labels = &labels;
  d.external_labels = &external;
  d.external_url = "http://db-1:9469";
  d.value = 4.25;
  d.eval_time = 1'714'564'800'000;
  d.query = [](const std::string& expr,
               tocsin::TimestampMs) -> tocsin::Result<std::vector<tmpl::TemplateSample>> {
    if (expr.empty()) return tocsin::InvalidArgument("empty query");
    return std::vector<tmpl::TemplateSample>{
        {tocsin::Labels{{"__name__", "up"}, {"instance", "b:1"}}, 0},
        {tocsin::Labels{{"__name__", "up"}, {"instance", "a:1"}}, 1.5}};
  };

  if (auto tree = tmpl::ParseAlertTemplate(text, "HighLoad"); tree.ok()) RenderChecked(*tree, d);
  tmpl::ParseOptions options;
  options.predefined_vars = {"$labels", "$externalLabels", "$externalURL", "$value"};
  options.check_functions = false;
  if (auto tree = tmpl::Parse(text, "fuzz", options); tree.ok()) RenderChecked(*tree, d);
  return 0;
}
