// Internal evaluator of the PromQL engine: evaluates an AST at one timestamp at a time over data
// selected once per query (or, for a range function in an instant query, streamed series by
// series from the Queryable).
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
#include <unordered_set>
#include <vector>

#include "agent/core/function_ref.h"
#include "agent/promql/ast.h"
#include "agent/promql/engine.h"
#include "agent/promql/functions.h"

namespace tocsin::promql {

// One element of an instant vector: a float, or a native histogram when `h` is set (then `v`
// is unused and 0). As in Prometheus 3.0 by default (no delayed name removal), every function
// and operator that changes a value drops __name__ from `labels` right away.
struct Elem {
  const Labels* labels;
  double v;
  TimestampMs t;  // timestamp of the underlying sample (for timestamp()); else the eval time
  const FloatHistogram* h = nullptr;
};
using Vec = std::vector<Elem>;

// One series of a range vector: samples inside the window, stale markers removed.
struct RangeElem {
  const Labels* labels;
  std::span<const Sample> samples;
  std::span<const HistogramSample> histograms{};
};
using Mat = std::vector<RangeElem>;

struct EvalValue {
  ValueType type = ValueType::kNone;
  double scalar = 0;
  std::string str;
  Vec vec;
  Mat mat;
};

// A non-owning handle on a histogram that lives in an Evaluator's arena (or selected data) for
// the query's lifetime; for building HistogramSamples inside the evaluation.
inline std::shared_ptr<const FloatHistogram> BorrowHistogram(const FloatHistogram* h) {
  return std::shared_ptr<const FloatHistogram>(std::shared_ptr<const FloatHistogram>(), h);
}

// One series' samples in the window (lo, hi] with stale markers dropped. The result borrows
// `samples`/`histograms` unless stale markers had to be removed; then the floats are copied into
// `without_stale` (which the result borrows instead).
RangeElem WindowOf(const Labels& labels, std::span<const Sample> samples,
                   std::span<const HistogramSample> histograms, TimestampMs lo, TimestampMs hi,
                   std::vector<Sample>& without_stale);

// What an instant selector yields for one series at `t` with lookback window (lo, t]: the newer
// of the newest float and the newest histogram sample at or before t, none when that is older
// than the window or a stale marker. False when the series yields nothing.
bool LatestOf(const Labels& labels, std::span<const Sample> samples,
              std::span<const HistogramSample> histograms, TimestampMs t, TimestampMs lo,
              Elem& out);

// xxHash64 (as Prometheus's labels.Hash uses it) of arbitrary bytes.
uint64_t XxHash64(const void* data, size_t len, uint64_t seed = 0);
// Prometheus's labels.Hash(): xxhash64 over name 0xff value 0xff ...
uint64_t LabelsHash(const Labels& l);

class Evaluator {
 public:
  Evaluator(const EngineOptions& opts, const Queryable& data, TimestampMs start, TimestampMs end,
            const QueryLimits* limits = nullptr);

  // Selects the data every selector of `root` needs for evaluations in [start, end], except
  // the range-function selectors of an instant query, which are streamed when evaluated.
  Status Prepare(const Expr& root);
  // Evaluates `e` at `ts`. On error returns false and sets error().
  bool Eval(const Expr& e, TimestampMs ts, EvalValue& out);
  const Status& error() const { return err_; }
  // Starts counting samples held for max_samples afresh (one top-level step of a range query).
  void ResetSampleCount() { samples_in_flight_ = 0; }

  const Labels* Intern(Labels l);
  // Like Intern, but returns the same pointer for equal label sets within this query.
  const Labels* InternShared(Labels l);
  // `l` without __name__ (`l` itself when it has none). Cached by address, so `l` must live
  // for the query (not a streamed series' labels: see RangeFunctionApplier).
  const Labels* WithoutName(const Labels* l);

  // Prometheus's "vector cannot contain metrics with the same labelset", raised where its
  // engine checks. CheckDistinct: one step's output of a node evaluated step by step in
  // Prometheus (functions over instant vectors, label_replace/label_join, binary operators).
  // TrackSeries: nodes whose output Prometheus checks as a whole matrix over all the node's
  // steps (range functions, unary minus): the output series `out_hash` came from input series
  // `in_hash`; two different inputs giving one output is an error even at different steps.
  // Only nodes that change label sets call them: the others pass on distinct input unchanged.
  // Both return false with error() set.
  bool CheckDistinct(const Vec& v);
  bool TrackSeries(const Expr* node, uint64_t in_hash, uint64_t out_hash);
  std::span<const Sample> StoreSamples(std::vector<Sample> s);
  // Keeps a histogram computed during evaluation alive for the query.
  const FloatHistogram* StoreHistogram(FloatHistogram h);
  // Keeps a shared histogram (from streamed data) alive for the query, without copying it.
  const FloatHistogram* KeepHistogram(std::shared_ptr<const FloatHistogram> h);
  std::span<const HistogramSample> StoreHistogramSamples(std::vector<HistogramSample> s);
  bool Fail(std::string msg);
  // False (with error() set) once the query's deadline has passed. Expired() polls the limit
  // every call; ExpiredSampled() every 64th, for the per-node and per-series paths.
  bool Expired();
  bool ExpiredSampled() { return (++deadline_polls_ & 63) == 0 && Expired(); }
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
  // The newest sample of each series in (lo, t].
  bool EvalSelectorWindow(const VectorSelector& vs, TimestampMs t, TimestampMs lo, EvalValue& out);
  // timestamp(x @ T offset O) as Prometheus computes it (see the definition).
  bool EvalTimestampAt(const VectorSelector& vs, TimestampMs ts, EvalValue& out);
  bool EvalMatrixSelector(const MatrixSelector& ms, TimestampMs ts, EvalValue& out);
  // Marks the selectors of range-function calls that are evaluated once (see Prepare).
  void FindStreamedSelectors(const Expr& e, bool in_subquery);
  // An instant selector in an instant query: the newest sample of each series, streamed.
  bool EvalLatestSelector(const VectorSelector& vs, TimestampMs t, TimestampMs lo, Vec& out);
  // The argument of `c` whose series are streamed (see Prepare), or null.
  const MatrixSelector* StreamedArg(const Call& c) const;
  // Receives results one at a time (the labels live only during the call), with an upper
  // bound of the results still to come after it (for reserving).
  using ElemSink = FunctionRef<void(const Elem&, size_t remaining_hint)>;
  // A range function over its streamed argument `ms`: each series is read, reduced and
  // dropped; the results go to `sink`.
  bool EvalStreamedCall(const Call& c, const MatrixSelector& ms, TimestampMs ts, ElemSink sink);
  bool FailTooManySamples();
  bool EvalSubquery(const SubqueryExpr& sq, TimestampMs ts, EvalValue& out);
  bool EvalBinary(const BinaryExpr& b, TimestampMs ts, EvalValue& out);
  bool EvalAggregate(const AggregateExpr& a, TimestampMs ts, EvalValue& out);
  bool EvalCall(const Call& c, TimestampMs ts, EvalValue& out);

  const EngineOptions& opts_;
  const Queryable& data_;
  TimestampMs start_, end_;
  Status err_;
  const QueryLimits* limits_;  // borrowed for the query; null = no deadline
  uint32_t deadline_polls_ = 0;
  std::unordered_map<const VectorSelector*, std::pair<TimestampMs, TimestampMs>> ranges_;
  std::unordered_map<const VectorSelector*, Selected> selected_;
  std::unordered_set<const VectorSelector*> streamed_;  // range-function selectors
  std::unordered_set<const VectorSelector*> latest_;    // instant selectors
  std::deque<Labels> label_arena_;
  std::unordered_map<uint64_t, std::vector<const Labels*>> shared_labels_;
  std::deque<std::vector<Sample>> sample_arena_;
  std::deque<FloatHistogram> histogram_arena_;
  std::vector<std::shared_ptr<const FloatHistogram>> kept_histograms_;
  std::deque<std::vector<HistogramSample>> histogram_sample_arena_;
  std::unordered_map<const Expr*, std::unordered_map<uint64_t, const Labels*>> label_cache_;
  std::unordered_map<const Labels*, const Labels*> without_name_;
  std::unordered_set<uint64_t> distinct_scratch_;
  std::unordered_map<const Expr*, std::unordered_map<uint64_t, uint64_t>> series_sources_;
  size_t samples_in_flight_ = 0;
};

// Parts of the evaluator split into their own files.
bool EvalBinaryValues(Evaluator& ev, const BinaryExpr& b, EvalValue& lhs, EvalValue& rhs,
                      EvalValue& out);
// An aggregation operator (sum, avg, topk, count_values, ...) fed one element at a time, so that
// its input can be a whole vector or elements streamed from a range function. `param`/`sparam`
// are the evaluated parameter. Used by one thread for one step; borrows `ev` and `a`.
class Aggregator {
 public:
  Aggregator(Evaluator& ev, const AggregateExpr& a, double param, std::string sparam);
  ~Aggregator();
  // Checks the parameter; false on an evaluation error (set on the Evaluator).
  bool Begin();
  // Whether Add keeps the element itself (topk, bottomk, limitk, limit_ratio): then its labels
  // must outlive Finish; otherwise they need only live during Add.
  bool KeepsElems() const;
  void Add(const Elem& e);
  // Appends one element per group (or the kept elements).
  void Finish(Vec& out);

 private:
  struct Groups;
  Evaluator& ev_;
  const AggregateExpr& a_;
  AggOp op_;
  double param_;
  std::string sparam_;
  std::vector<std::string> grouping_;
  int64_t k_ = 0;
  bool no_result_ = false;  // k < 1 or a zero ratio
  std::unique_ptr<Groups> groups_;
};
// The Aggregator over a whole vector.
bool EvalAggregation(Evaluator& ev, const AggregateExpr& a, double param, const std::string& sparam,
                     Vec& in, Vec& out);
// The window of rate/increase/delta: (start, end], `range_secs` long.
struct RateWindow {
  TimestampMs start;
  TimestampMs end;
  double range_secs;
};
// A function over range vectors (rate, *_over_time, ...) applied one series at a time, so that
// its input can be a materialised matrix or series streamed from a Querier. `ts` is the
// evaluation time and `range_ms`/`window_end` describe the selector window (for extrapolation);
// `args` supplies the scalar parameters (the matrix argument itself is not read).
// Used by one thread for one call at one timestamp; borrows `ev`, `c` and nothing else.
class RangeFunctionApplier {
 public:
  RangeFunctionApplier(Evaluator& ev, const Call& c, const std::vector<EvalValue>& args,
                       TimestampMs ts, int64_t range_ms, TimestampMs window_end);
  // Evaluates the function over one series' window, appending its result (if it has one) to
  // `out` with r.labels (without __name__ except for last_over_time). False on an evaluation
  // error (set on the Evaluator).
  bool Apply(const RangeElem& r, Vec& out);
  // The series passed to Apply live only during the call (streamed): the results keep the
  // series' labels, and the caller drops __name__ (see DropsName) when it copies them.
  void SetTransientLabels() { transient_labels_ = true; }
  bool DropsName() const { return !keeps_name_; }
  // After the last series (absent_over_time's result).
  bool Finish(Vec& out);

 private:
  // Appends the result `e` for series `r` with the result's labels.
  bool Emit(const RangeElem& r, Elem e, Vec& out);

  Evaluator& ev_;
  const Call& c_;
  FuncId id_;
  TimestampMs ts_;
  RateWindow window_;
  bool keeps_name_;
  bool track_ = false;  // whether results from two input series may share a label set
  bool transient_labels_ = false;
  double p0_ = 0, p1_ = 0;
  size_t series_ = 0;
  std::vector<double> scratch_;
};
// Whether every series `e` yields has one and the same metric name (a selector with a
// `__name__="..."` matcher): then dropping the name cannot make two of them equal.
bool HasOneMetricName(const Expr& e);
// The applier over every series of the matrix argument in `args`.
bool EvalRangeFunction(Evaluator& ev, const Call& c, const std::vector<EvalValue>& args,
                       TimestampMs ts, int64_t range_ms, TimestampMs window_end, Vec& out);
// Prometheus's extrapolation of a window's increase to its edges: the factor to multiply the
// observed increase between samples at first_t and last_t (`intervals` apart) by. Extrapolation
// towards the start stops at `duration_to_zero` seconds (a counter cannot go below 0; pass
// +Inf when that does not apply).
double ExtrapolationFactor(TimestampMs first_t, TimestampMs last_t, size_t intervals,
                           const RateWindow& window, bool is_rate, double duration_to_zero);

// Native histograms (functions_histogram.cc).
double NativeHistogramQuantile(double q, const FloatHistogram& h);
double NativeHistogramFraction(double lower, double upper, const FloatHistogram& h);
// histogram_count/sum/avg/stddev/stdvar/fraction over the histogram samples of the last arg.
bool EvalHistogramFunction(Evaluator& ev, FuncId id, std::vector<EvalValue>& args, TimestampMs ts,
                           Vec& out);
// Whether range function `id` is defined over windows holding histogram samples; the others
// read the window's float samples only.
bool AcceptsHistogramWindow(FuncId id);
// Evaluates such a function over a window with histogram samples; false when it has no result
// (mixed floats and histograms where that is undefined, too few samples, incompatible layouts).
// Sets out.v or out.h.
bool RangeFunctionOverHistograms(Evaluator& ev, FuncId id, const RangeElem& r,
                                 const RateWindow& window, Elem& out);

// Functions over instant vectors and scalars.
bool EvalInstantFunction(Evaluator& ev, const Call& c, std::vector<EvalValue>& args, TimestampMs ts,
                         EvalValue& out);

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
