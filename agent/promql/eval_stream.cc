// Streaming evaluation in instant queries (see Evaluator::Prepare): which selectors stream,
// the per-series read-reduce loop of range functions and the newest-sample read of instant
// selectors. Also the window and newest-sample slicing the materialised path shares.
#include <algorithm>

#include "agent/promql/eval.h"

namespace tocsin::promql {

RangeElem WindowOf(const Labels& labels, std::span<const Sample> samples,
                   std::span<const HistogramSample> histograms, TimestampMs lo, TimestampMs hi,
                   std::vector<Sample>& without_stale) {
  auto first = std::upper_bound(samples.begin(), samples.end(), lo,
                                [](TimestampMs v, const Sample& x) { return v < x.t; });
  auto last = std::upper_bound(first, samples.end(), hi,
                               [](TimestampMs v, const Sample& x) { return v < x.t; });
  RangeElem r{&labels, {first, last}, {}};
  if (!histograms.empty()) {
    auto hfirst = std::upper_bound(histograms.begin(), histograms.end(), lo,
                                   [](TimestampMs v, const HistogramSample& x) { return v < x.t; });
    auto hlast = std::upper_bound(hfirst, histograms.end(), hi,
                                  [](TimestampMs v, const HistogramSample& x) { return v < x.t; });
    r.histograms = {hfirst, hlast};
  }
  auto stale = std::find_if(first, last, [](const Sample& x) { return IsStaleNaN(x.v); });
  if (stale != last) {
    without_stale.assign(first, stale);
    for (auto it = stale; it != last; ++it) {
      if (!IsStaleNaN(it->v)) without_stale.push_back(*it);
    }
    r.samples = without_stale;
  }
  return r;
}

bool LatestOf(const Labels& labels, std::span<const Sample> samples,
              std::span<const HistogramSample> histograms, TimestampMs t, TimestampMs lo,
              Elem& out) {
  auto it = std::upper_bound(samples.begin(), samples.end(), t,
                             [](TimestampMs v, const Sample& x) { return v < x.t; });
  const Sample* latest = it == samples.begin() ? nullptr : &*(it - 1);
  const HistogramSample* latest_h = nullptr;
  if (!histograms.empty()) {
    auto hit = std::upper_bound(histograms.begin(), histograms.end(), t,
                                [](TimestampMs v, const HistogramSample& x) { return v < x.t; });
    if (hit != histograms.begin()) latest_h = &*(hit - 1);
  }
  // The newer of the two kinds is the series' value; a stale marker (a float) ends both.
  if (latest_h != nullptr && (latest == nullptr || latest_h->t > latest->t)) {
    if (latest_h->t <= lo) return false;
    out = Elem{&labels, 0, latest_h->t, latest_h->h.get()};
    return true;
  }
  if (latest == nullptr || latest->t <= lo || IsStaleNaN(latest->v)) return false;
  out = Elem{&labels, latest->v, latest->t};
  return true;
}

bool Evaluator::EvalLatestSelector(const VectorSelector& vs, TimestampMs t, TimestampMs lo,
                                   Vec& out) {
  // Timestamps are whole milliseconds: (lo, t] is [lo + 1, t].
  auto querier = data_.NewQuerier(lo + 1, t);
  querier->ForEachLatest(vs.matchers, [&](const SeriesView& s) {
    if (out.empty()) out.reserve(s.remaining_hint + 1);
    Elem e;
    if (!LatestOf(s.labels, s.samples, s.histograms, t, lo, e)) return;
    // The view lives only during this call; the result keeps (shared) copies.
    e.labels = Intern(s.labels);
    for (const HistogramSample& h : s.histograms) {
      if (h.h.get() == e.h) e.h = KeepHistogram(h.h);
    }
    out.push_back(e);
  });
  samples_in_flight_ += out.size();
  if (samples_in_flight_ > opts_.max_samples) return FailTooManySamples();
  return true;
}

const MatrixSelector* Evaluator::StreamedArg(const Call& c) const {
  for (const auto& a : c.args) {
    const Expr& arg = Unparen(*a);
    if (arg.kind != ExprKind::kMatrixSelector) continue;
    const auto& ms = static_cast<const MatrixSelector&>(arg);
    if (streamed_.contains(ms.vs.get())) return &ms;
  }
  return nullptr;
}

bool Evaluator::EvalStreamedCall(const Call& c, const MatrixSelector& ms, TimestampMs ts,
                                 ElemSink sink) {
  std::vector<EvalValue> args(c.args.size());
  for (size_t i = 0; i < c.args.size(); ++i) {
    if (&Unparen(*c.args[i]) == &ms) {
      args[i].type = ValueType::kMatrix;  // its series are streamed below
      continue;
    }
    if (!Eval(*c.args[i], ts, args[i])) return false;
  }
  TimestampMs window_end = ResolveAt(ms.vs->mods, ts) - ms.vs->mods.offset_ms;
  RangeFunctionApplier fn(*this, c, args, ts, ms.range_ms, window_end);
  fn.SetTransientLabels();
  TimestampMs lo = window_end - ms.range_ms;
  // Timestamps are whole milliseconds: (lo, end] is [lo + 1, end].
  auto querier = data_.NewQuerier(lo + 1, window_end);
  std::vector<Sample> without_stale;
  Vec result;  // at most one element per series
  bool ok = true;
  querier->ForEach(ms.vs->matchers, [&](const SeriesView& s) {
    if (!ok) return;
    if (ExpiredSampled()) {
      ok = false;
      return;
    }
    RangeElem r = WindowOf(s.labels, s.samples, s.histograms, lo, window_end, without_stale);
    if (r.samples.empty() && r.histograms.empty()) return;
    samples_in_flight_ += r.samples.size() + r.histograms.size();
    if (samples_in_flight_ > opts_.max_samples) {
      ok = FailTooManySamples();
      return;
    }
    result.clear();
    if (!fn.Apply(r, result)) {
      ok = false;
      return;
    }
    if (!result.empty()) sink(result.front(), s.remaining_hint);
  });
  if (!ok) return false;
  result.clear();
  if (!fn.Finish(result)) return false;
  for (const Elem& e : result) sink(e, 0);
  return true;
}

void Evaluator::FindStreamedSelectors(const Expr& e, bool in_subquery) {
  switch (e.kind) {
    case ExprKind::kNumber:
    case ExprKind::kString:
    case ExprKind::kMatrixSelector:  // its selector is a range, handled by the enclosing call
      return;
    case ExprKind::kVectorSelector:
      if (!in_subquery) latest_.insert(static_cast<const VectorSelector*>(&e));
      return;
    case ExprKind::kSubquery:
      FindStreamedSelectors(*static_cast<const SubqueryExpr&>(e).expr, true);
      return;
    case ExprKind::kParen:
      FindStreamedSelectors(*static_cast<const ParenExpr&>(e).expr, in_subquery);
      return;
    case ExprKind::kUnary:
      FindStreamedSelectors(*static_cast<const UnaryExpr&>(e).expr, in_subquery);
      return;
    case ExprKind::kBinary: {
      const auto& b = static_cast<const BinaryExpr&>(e);
      FindStreamedSelectors(*b.lhs, in_subquery);
      FindStreamedSelectors(*b.rhs, in_subquery);
      return;
    }
    case ExprKind::kCall:
      for (const auto& a : static_cast<const Call&>(e).args) {
        const Expr& arg = Unparen(*a);
        if (arg.kind == ExprKind::kMatrixSelector && !in_subquery) {
          streamed_.insert(static_cast<const MatrixSelector&>(arg).vs.get());
        }
        FindStreamedSelectors(arg, in_subquery);
      }
      return;
    case ExprKind::kAggregate: {
      const auto& a = static_cast<const AggregateExpr&>(e);
      if (a.param) FindStreamedSelectors(*a.param, in_subquery);
      FindStreamedSelectors(*a.expr, in_subquery);
      return;
    }
  }
}

}  // namespace tocsin::promql
