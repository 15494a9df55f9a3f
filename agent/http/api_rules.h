// The Prometheus HTTP API's rule endpoints: GET /api/v1/rules (groups, rules, health, alerts;
// `type=alert|record`, `exclude_alerts=true`, and one value each of `rule_name[]`,
// `rule_group[]`, `file[]`) and GET /api/v1/alerts (pending and firing alerts), in Prometheus's
// JSON shapes, fed by a snapshot function (rules/rules_snapshot.h) so the HTTP layer never
// touches the rule manager.
//
// Handlers hold only the function; thread-safe as the function is.
#pragma once

#include <functional>
#include <string>

#include "agent/http/server.h"
#include "rules/rules_snapshot.h"

namespace tocsin {

using RulesSnapshotFn = std::function<rules::RulesSnapshot()>;

void RegisterRulesApi(HttpServer& server, RulesSnapshotFn snapshot);

// The JSON "data" values, exposed for tests.
std::string RulesDataJson(const rules::RulesSnapshot& snapshot, const std::string& type_filter,
                          bool exclude_alerts);
std::string AlertsDataJson(const rules::RulesSnapshot& snapshot);

// Go's time.Time JSON form for a millisecond timestamp ("2024-05-01T12:00:00.123Z"; whole
// seconds print without a fraction; 0 prints Go's zero time "0001-01-01T00:00:00Z").
std::string ApiTimestamp(TimestampMs t);

}  // namespace tocsin
