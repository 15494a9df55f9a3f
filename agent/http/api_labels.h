// The Prometheus HTTP API's series-index endpoints over a Queryable:
//   GET|POST /api/v1/labels              label names   (match[], start, end, limit)
//   GET      /api/v1/label/<name>/values label values  (match[], start, end, limit); <name> may
//            be `__name__` (metric names) or a UTF-8 name escaped as Prometheus 3 does
//            (`U__` prefix, `_2e_` for '.', `__` for '_')
//   GET|POST /api/v1/series              label sets    (match[] required, start, end, limit)
// Results are sorted (names and values bytewise, series by labels) and distinct; only series
// with a sample in [start, end] count. `limit` keeps the first `limit` results and adds the
// warning "results truncated due to limit" when it cut any. Errors are Prometheus's texts with
// 400 bad_data.
//
// Handlers hold only the borrowed Queryable; thread-safe as it is.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "agent/http/server.h"
#include "agent/store/queryable.h"

namespace tocsin {

void RegisterLabelsApi(HttpServer& server, const Queryable* data);

// model.UnescapeName(name, ValueEncodingEscaping): "U__a_2e_b" -> "a.b". A name without the
// prefix, or one that is not a valid escape, is returned unchanged.
std::string UnescapeLabelName(std::string_view name);

}  // namespace tocsin
