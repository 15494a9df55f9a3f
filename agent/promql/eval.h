// Internal evaluator of the PromQL engine: evaluates an AST at one timestamp at a time over data
// selected once per query.
//
// An Evaluator lives for one Engine::Instant/Range call and is used by one thread. It owns the
// selected series and every label set it creates; the Elem/Series values it hands out point
// into that storage and stay valid for the Evaluator's lifetime.
#pragma once

#include <cmath>
#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "agent/promql/ast.h"
#include "agent/promql/engine.h"

namespace tocsin::promql {

// One element of an instant vector.
struct Elem {
  const Labels* labels;
  double v;
  TimestampMs t;   // timestamp of the underlying sample (for timestamp()); else the eval time
  bool drop_name;  // Prometheus 3's delayed __name__ removal
};
using Vec = std::vector<Elem>;

// One series of a range vector: samples inside the window, stale markers removed.
struct RangeElem {
  const Labels* labels;
  std::span<const Sample> samples;
  bool drop_name;
};
using Mat = std::vector<RangeElem>;

struct EvalValue {
  ValueType type = ValueType::kNone;
  double scalar = 0;
  std::string str;
  Vec vec;
  Mat mat;
};

// xxHash64 (as Prometheus's labels.Hash uses it) of arbitrary bytes.
uint64_t XxHash64(const void* data, size_t len, uint64_t seed = 0);
// Prometheus's labels.Hash(): xxhash64 over name 0xff value 0xff ...
uint64_t LabelsHash(const Labels& l);

class Evaluator {
 public:
  Evaluator(const EngineOptions& opts, const Queryable& data, TimestampMs start, TimestampMs end,
            int64_t step_ms);

  // Selects the data every selector of `root` needs for evaluations in [start, end].
  Status Prepare(const Expr& root);
  // Evaluates `e` at `ts`. On error returns false and sets error().
  bool Eval(const Expr& e, TimestampMs ts, EvalValue& out);
  const Status& error() const { return err_; }
  // Starts counting samples held for max_samples afresh (one top-level step of a range query).
  void ResetSampleCount() { samples_in_flight_ = 0; }

  const Labels* Intern(Labels l);
  // Like Intern, but returns the same pointer for equal label sets within this query.
  const Labels* InternShared(Labels l);
  std::span<const Sample> StoreSamples(std::vector<Sample> s);
  bool Fail(std::string msg);
  TimestampMs query_start() const { return start_; }
  TimestampMs query_end() const { return end_; }

  // Per-node scratch caches (label transformations reused across steps).
  std::unordered_map<uint64_t, const Labels*>& LabelCache(const Expr* node) {
    return label_cache_[node];
  }

 private:
  struct Selected {
    std::vector<SeriesData> series;
  };
  void CollectRanges(const Expr& e, TimestampMs start, TimestampMs end);
  TimestampMs ResolveAt(const TimeModifiers& m, TimestampMs ts) const;
  bool EvalVectorSelector(const VectorSelector& vs, TimestampMs ts, EvalValue& out);
  bool EvalMatrixSelector(const MatrixSelector& ms, TimestampMs ts, EvalValue& out);
  bool EvalSubquery(const SubqueryExpr& sq, TimestampMs ts, EvalValue& out);
  bool EvalBinary(const BinaryExpr& b, TimestampMs ts, EvalValue& out);
  bool EvalAggregate(const AggregateExpr& a, TimestampMs ts, EvalValue& out);
  bool EvalCall(const Call& c, TimestampMs ts, EvalValue& out);

  const EngineOptions& opts_;
  const Queryable& data_;
  TimestampMs start_, end_;
  int64_t step_ms_;
  Status err_;
  std::unordered_map<const VectorSelector*, std::pair<TimestampMs, TimestampMs>> ranges_;
  std::unordered_map<const VectorSelector*, Selected> selected_;
  std::deque<Labels> label_arena_;
  std::unordered_map<uint64_t, std::vector<const Labels*>> shared_labels_;
  std::deque<std::vector<Sample>> sample_arena_;
  std::unordered_map<const Expr*, std::unordered_map<uint64_t, const Labels*>> label_cache_;
  size_t samples_in_flight_ = 0;
};

// Parts of the evaluator split into their own files.
bool EvalBinaryValues(Evaluator& ev, const BinaryExpr& b, EvalValue& lhs, EvalValue& rhs,
                      EvalValue& out);
bool EvalAggregation(Evaluator& ev, const AggregateExpr& a, double param, const std::string& sparam,
                     Vec& in, Vec& out);
// Functions over range vectors (rate, *_over_time, ...). `ts` is the evaluation time and
// `range_ms`/`window_end` describe the selector window (for extrapolation).
bool EvalRangeFunction(Evaluator& ev, const Call& c, const std::vector<EvalValue>& args,
                       TimestampMs ts, int64_t range_ms, TimestampMs window_end, Vec& out);
// Functions over instant vectors and scalars.
bool EvalInstantFunction(Evaluator& ev, const Call& c, std::vector<EvalValue>& args, TimestampMs ts,
                         EvalValue& out);

// Go's strconv.FormatFloat(v, 'f', -1, 64).
std::string FormatFloatPlain(double v);
// Prometheus's quantile() over a set of values (sorts `values`).
double Quantile(double q, std::vector<double>& values);
// Kahan-Neumaier summation step (Prometheus's kahanSumInc).
inline void KahanSumInc(double inc, double& sum, double& c) {
  double t = sum + inc;
  if (std::isinf(t)) {
    c = 0;
  } else if (std::fabs(sum) >= std::fabs(inc)) {
    c += (sum - t) + inc;
  } else {
    c += (inc - t) + sum;
  }
  sum = t;
}

}  // namespace tocsin::promql
