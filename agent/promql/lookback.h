// How far back before its evaluation time an expression reads samples: the largest, over its
// selectors, of offset + range (range vectors), offset + lookback delta (instant vectors), and
// for subqueries offset + range + what the inner expression reads before each of its steps.
// Selectors pinned with `@ <timestamp>` read a fixed time that no evaluation time tells, and are
// left out; `@ start()` / `@ end()` are the evaluation time itself for an instant query (rules).
// A negative offset (reading ahead) counts as 0.
//
// The rule manager and `check config` compare this with global.retention: a rule that reads
// further back than the store keeps is computed from the retained part only.
// Pure function; thread-safe.
#pragma once

#include <cstdint>

#include "agent/promql/ast.h"

namespace tocsin::promql {

int64_t LookbackMs(const Expr& expr, int64_t lookback_delta_ms);

}  // namespace tocsin::promql
