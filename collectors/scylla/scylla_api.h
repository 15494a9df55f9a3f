// Decoding of the ScyllaDB REST API (:10000) replies the scylla collector reads, and the
// operation-mode codes Scylla itself uses for scylla_node_operation_mode.
//
//   GET /storage_service/operation_mode          -> "NORMAL"           (a JSON string)
//   GET /gossiper/endpoint/live/                 -> ["10.0.0.1", ...]  (JSON array of strings)
//   GET /gossiper/endpoint/down/                 -> ["10.0.0.3"]
//   GET /storage_service/nodes/joining|leaving|moving -> [...]
//   GET /compaction_manager/metrics/pending_tasks -> 7                 (a JSON number)
//
// nlohmann::json is used without exceptions; malformed input is an InvalidArgument naming
// what was expected. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "agent/core/status.h"

namespace tocsin::scylla {

Result<std::string> DecodeJsonString(std::string_view body);
Result<std::vector<std::string>> DecodeJsonStringList(std::string_view body);
Result<double> DecodeJsonNumber(std::string_view body);

// storage_service.cc's numbering: UNKNOWN=0, STARTING=1, JOINING=2, NORMAL=3, LEAVING=4,
// DECOMMISSIONED=5, DRAINING=6, DRAINED=7, MOVING=8, MAINTENANCE=9; anything else is 0.
int OperationModeCode(std::string_view mode);

}  // namespace tocsin::scylla
