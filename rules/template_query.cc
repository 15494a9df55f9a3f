#include "rules/template_query.h"

namespace tocsin::rules {

tmpl::TemplateQueryFn MakeTemplateQuery(const promql::Engine* engine, const Queryable* data) {
  return [engine, data](const std::string& expr,
                        TimestampMs t) -> Result<std::vector<tmpl::TemplateSample>> {
    auto parsed = promql::Parse(expr);
    if (!parsed.ok()) return parsed.status();
    auto v = engine->Instant(*parsed, *data, t);
    if (!v.ok()) return v.status();
    std::vector<tmpl::TemplateSample> out;
    if (v->type == promql::ValueType::kVector) {
      for (const auto& s : v->vector) out.push_back({s.labels, s.v});
    } else if (v->type == promql::ValueType::kScalar) {
      out.push_back({Labels(), v->scalar});
    } else {
      return InvalidArgument("query: unsupported result type");
    }
    return out;
  };
}

}  // namespace tocsin::rules
