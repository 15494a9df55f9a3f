// Alertmanager's template.Data (template/template.go Data()) for one notification: what a
// notification template's dot is. .Receiver (regexp-quoted, as Alertmanager does), .Status,
// .Alerts (template.Alerts, with Firing/Resolved), .GroupLabels, .CommonLabels and
// .CommonAnnotations (template.KV, with SortedPairs/Names/Values/Remove), .ExternalURL.
//
// Pure function; thread-safe.
#pragma once

#include "notifiers/notification.h"
#include "rules/template/value.h"

namespace tocsin {

rules::tmpl::Value NotificationTemplateData(const Notification& n);

}  // namespace tocsin
