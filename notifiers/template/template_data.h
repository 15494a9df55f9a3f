// Alertmanager's template.Data (template/template.go Data()) for one notification: what a
// notification template's dot is. .Receiver (regexp-quoted, as Alertmanager does), .Status,
// .Alerts (template.Alerts, with Firing/Resolved), .GroupLabels, .CommonLabels and
// .CommonAnnotations (template.KV, with SortedPairs/Names/Values/Remove), .ExternalURL.
//
// NotificationTemplateData is a pure function (thread-safe); a FieldExpander lives for one
// render (not thread-safe) and borrows its templates.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>

#include "agent/core/status.h"
#include "notifiers/notification.h"
#include "notifiers/template/notification_templates.h"
#include "rules/template/value.h"

namespace tocsin {

rules::tmpl::Value NotificationTemplateData(const Notification& n);

// Expands an integration's config fields over one notification as Alertmanager's
// notify.TmplText does: each field on its own (a failed one expands empty), the first failure
// kept so that the caller does not send the message.
class FieldExpander {
 public:
  FieldExpander(const NotificationTemplates& templates, const Notification& n)
      : templates_(templates), data_(NotificationTemplateData(n)) {}
  std::string operator()(const std::string& text);
  const Status& status() const { return failed_; }

 private:
  const NotificationTemplates& templates_;
  const rules::tmpl::Value data_;
  Status failed_;
};

// Go's `omitempty` on a string field: an empty value is left out.
void SetNonEmpty(nlohmann::json& object, const char* key, std::string value);

}  // namespace tocsin
