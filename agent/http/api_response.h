// The Prometheus HTTP API's response envelope, written in Prometheus's field order
// (web/api/v1 Response: status, data, errorType, error, warnings):
//   {"status":"success","data":<data>[,"warnings":[...]]}
//   {"status":"error","errorType":"bad_data","error":"..."}
// with the status code Prometheus gives each error type (bad_data 400, execution 422,
// canceled 499, timeout and unavailable 503, internal 500, not_found 404, not_acceptable 406).
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "agent/core/labels.h"
#include "agent/http/server.h"

namespace tocsin {

// `data_json` is an encoded JSON value. Warnings are omitted when empty, as Prometheus does.
ServerResponse ApiSuccess(std::string_view data_json,
                          const std::vector<std::string>& warnings = {});
ServerResponse ApiError(std::string_view error_type, std::string_view message);
inline ServerResponse ApiBadData(std::string_view message) { return ApiError("bad_data", message); }
// What Prometheus answers when a handler has no data at all (query_exemplars without selectors).
ServerResponse ApiNoContent();

// The warning Prometheus adds when `limit` cut a result short.
inline constexpr std::string_view kTruncatedWarning = "results truncated due to limit";

// Appends a label set as a JSON object in label order ({"__name__":"up","job":"a"}).
void AppendLabelsJson(std::string& out, const Labels& labels);
// Appends a JSON array of strings.
void AppendStringArrayJson(std::string& out, const std::vector<std::string>& values);

}  // namespace tocsin
