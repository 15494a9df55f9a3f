// NotificationTemplates: Alertmanager's notification templating (template/template.go) for the
// integrations: the default template set (slack.default.title, pagerduty.default.description,
// __subject, __text_alert_list, ...), the files of the config's `templates:` on top of it, and
// the expansion of one config field (`title: '{{ .CommonLabels.alertname }}'`) over one
// notification's data (template_data.h), with Alertmanager's functions.
//
// Immutable once built; Expand() is thread-safe. Shared (shared_ptr) between the notifiers of
// one configuration generation.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "agent/core/status.h"
#include "notifiers/config.h"
#include "notifiers/template/template_check.h"
#include "rules/template/ast.h"
#include "rules/template/render.h"
#include "rules/template/value.h"

namespace tocsin {

class NotificationTemplates {
 public:
  // The default set only.
  static std::shared_ptr<const NotificationTemplates> Default();
  // The default set, then each file in order (a later definition of a name replaces an
  // earlier one, as Go's template.ParseFiles does). Errors name the file and line in Go's
  // words: "template: slack.tmpl:3: unexpected {{end}}".
  static Result<std::shared_ptr<const NotificationTemplates>> Load(
      const std::vector<TemplateFileConfig>& files);

  // Expands one field's template text over `data` (NotificationTemplateData, template_data.h).
  Result<std::string> Expand(std::string_view text, const rules::tmpl::Value& data) const;
  // The same under Go's html/template (Alertmanager's ExecuteHTMLString, for email bodies):
  // each action's value is escaped for its HTML context (rules/template/html_escape.h).
  Result<std::string> ExpandHtml(std::string_view text, const rules::tmpl::Value& data) const;

 private:
  NotificationTemplates() = default;
  Status AddFile(std::string_view text, std::string_view name);
  Result<std::string> ExpandAs(std::string_view text, const rules::tmpl::Value& data,
                               bool html) const;

  rules::tmpl::SharedDefines defines_;
};

// Alertmanager's default template set (template/default.tmpl), plus tocsin's own
// `tocsin.*` templates for the defaults of its inline `alerting:` dialect.
std::string_view DefaultNotificationTemplates();

}  // namespace tocsin
