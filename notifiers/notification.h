// Notification: what the dispatcher hands to one integration of one receiver for one alert
// group flush, and the helpers every notifier uses to render it (status, subject, Alertmanager's
// template data as JSON).
//
// As in Alertmanager's aggregation-group flush, the alerts are frozen at flush time: a firing
// alert has ends_at = 0 and a resolved one keeps its endsAt, so rendering does not depend on
// when (or after how many restarts) the notification is finally delivered. Plain value.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "agent/core/alert.h"
#include "agent/core/clock.h"
#include "agent/core/labels.h"

namespace tocsin {

struct Notification {
  std::string receiver;
  std::string group_key;  // Alertmanager's `{route}/{route}:{group labels}` string
  Labels group_labels;
  std::vector<Alert> alerts;  // firing ones have ends_at == 0
  TimestampMs created_at = 0;
  std::string external_url;

  size_t NumFiring() const;
  size_t NumResolved() const { return alerts.size() - NumFiring(); }
  bool Firing() const { return NumFiring() > 0; }
  // "firing" or "resolved".
  const char* Status() const { return Firing() ? "firing" : "resolved"; }
  Labels CommonLabels() const;
  Labels CommonAnnotations() const;
  // lower-case hex SHA-256 of group_key: Alertmanager's Key.Hash(), PagerDuty's dedup_key.
  std::string GroupKeyHash() const;
};

// Alertmanager's default `__subject`: `[FIRING:2] <group label values> (<other common values>)`.
std::string Subject(const Notification& n);

// A label map's values in Alertmanager's SortedPairs order (alertname first, then by name).
std::vector<Label> SortedPairs(const Labels& labels);

// One alert in Alertmanager's template-data shape:
// {status, labels, annotations, startsAt, endsAt, generatorURL, fingerprint}.
nlohmann::json AlertToJson(const Alert& alert);
// Alertmanager's template data: {receiver, status, alerts, groupLabels, commonLabels,
// commonAnnotations, externalURL}.
nlohmann::json TemplateData(const Notification& n);
nlohmann::json LabelsToJson(const Labels& labels);

// Zero time prints as Go's zero time "0001-01-01T00:00:00Z" (firing alerts' endsAt).
std::string FormatAlertTime(TimestampMs t);

// JSON (de)serialisation of a whole notification, for the durable queue.
std::string NotificationToJsonString(const Notification& n);
bool NotificationFromJsonString(const std::string& text, Notification* out);

// Truncates to at most `max_runes` UTF-8 code points; appends "…" when truncated (as
// Alertmanager's notify.Truncate). Sets *truncated when given.
std::string TruncateRunes(std::string_view s, size_t max_runes, bool* truncated = nullptr);

}  // namespace tocsin
