// The methods Go values carry into a notification template, as text/template calls them by
// name (`.CommonLabels.SortedPairs`, `.CommonLabels.Remove .GroupLabels.Names`,
// `.Alerts.Firing`, `.StartsAt.Format "15:04"`): Alertmanager's template.KV, template.Pairs and
// template.Alerts (template/template.go), and time.Time's common ones.
//
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "agent/core/status.h"
#include "rules/template/value.h"

namespace tocsin::rules::tmpl {

inline constexpr const char* kPairType = "template.Pair";
inline constexpr const char* kPairsType = "template.Pairs";
inline constexpr const char* kAlertType = "template.Alert";
inline constexpr const char* kAlertsType = "template.Alerts";
inline constexpr const char* kAlertSliceType = "[]template.Alert";

// True when `recv`'s type has a method `name` (text/template looks methods up before fields
// and map keys).
bool HasMethod(const Value& recv, const std::string& name);
// Calls it; errors read as Go's ("wrong number of args for Remove: want 1 got 0").
Result<Value> CallMethod(const Value& recv, const std::string& name,
                         const std::vector<Value>& args);

// KV.SortedPairs: alertname first, then by name.
Value SortedPairsOf(const Labels& kv);

}  // namespace tocsin::rules::tmpl
