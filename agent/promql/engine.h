// PromQL engine API: parse an expression once, evaluate it instantly or over a range against
// any Queryable (normally the SeriesStore).
//
// Parsed expressions are immutable and may be evaluated from many threads at once. An Engine
// holds only options; Evaluate calls are independent and thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "agent/core/clock.h"
#include "agent/core/labels.h"
#include "agent/core/status.h"
#include "agent/store/queryable.h"

namespace tocsin::promql {

class Expr;  // the AST root (ast.h)
using ExprPtr = std::shared_ptr<const Expr>;

enum class ValueType { kNone, kScalar, kVector, kMatrix, kString };
std::string_view ValueTypeName(
    ValueType t);  // "scalar", "instant vector", "range vector", "string"

// Parses `input`. On error the Status message reads like Prometheus's:
//   "1:14: parse error: unexpected right parenthesis ')'"
// Unknown functions are parse errors naming the function, so rule files fail at load time.
Result<ExprPtr> Parse(std::string_view input);
// Parses a lone series selector (`up{job="a"}`, `{__name__=~"x.+"}`; no offset, @ or range),
// as Prometheus's parser.ParseMetricSelector does for the API's match[] parameters. The
// matchers include __name__="name" when a name is given; at least one matches non-empty.
Result<std::vector<LabelMatcher>> ParseMetricSelector(std::string_view input);

// The static type of a parsed expression.
ValueType TypeOf(const Expr& expr);
// Canonical text of an expression (as Prometheus's String()).
std::string ToString(const Expr& expr);

// A float sample (h null) or a native-histogram sample (h set, v unused).
struct InstantSample {
  Labels labels;
  double v = 0;
  std::shared_ptr<const FloatHistogram> h = nullptr;
};
using Vector = std::vector<InstantSample>;

struct RangeSeries {
  Labels labels;
  std::vector<Sample> points;
  std::vector<HistogramSample> histograms{};  // native-histogram points, in time order
};
using Matrix = std::vector<RangeSeries>;

struct Value {
  ValueType type = ValueType::kNone;
  double scalar = 0;  // kScalar
  std::string str;    // kString
  Vector vector;      // kVector
  Matrix matrix;      // kMatrix (range vector selectors, and range-query results)
  TimestampMs t = 0;  // evaluation time of an instant result
};

struct EngineOptions {
  std::chrono::milliseconds lookback_delta{300000};
  size_t max_samples = 50'000'000;  // per query; exceeding it is an evaluation error
  // Step of a subquery written without one (`x[5m:]`); Prometheus uses the global evaluation
  // interval (1m by default).
  std::chrono::milliseconds default_subquery_step{60000};
};

// Per-query bounds from the caller (the HTTP API's timeout). Once `expired` returns true the
// evaluation stops with DeadlineExceeded "query timed out in expression evaluation". It is
// polled between steps, expression nodes and streamed series, so it must be cheap; it is
// called only from the evaluating thread.
struct QueryLimits {
  std::function<bool()> expired;  // null = no deadline
};

class Engine {
 public:
  explicit Engine(EngineOptions options = {});
  Result<Value> Instant(const ExprPtr& expr, const Queryable& data, TimestampMs t,
                        const QueryLimits& limits = {}) const;
  // Range query: one instant evaluation per step from start to end inclusive; returns a matrix
  // (a scalar result becomes a series with no labels).
  Result<Value> Range(const ExprPtr& expr, const Queryable& data, TimestampMs start,
                      TimestampMs end, std::chrono::milliseconds step,
                      const QueryLimits& limits = {}) const;

 private:
  EngineOptions options_;
};

}  // namespace tocsin::promql
