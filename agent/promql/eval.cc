// Engine::Instant / Engine::Range and the evaluator's core: data selection, selectors,
// subqueries, dispatch, __name__ removal and the duplicate-labelset checks.
#include "agent/promql/eval.h"

#include <algorithm>

#include "agent/promql/functions.h"

namespace tocsin::promql {

Evaluator::Evaluator(const EngineOptions& opts, const Queryable& data, TimestampMs start,
                     TimestampMs end, const QueryLimits* limits)
    : opts_(opts), data_(data), start_(start), end_(end), limits_(limits) {}

bool Evaluator::Expired() {
  if (limits_ == nullptr || !limits_->expired || !limits_->expired()) return false;
  if (err_.ok() || err_.code() != StatusCode::kDeadlineExceeded) {
    err_ = DeadlineExceeded("query timed out in expression evaluation");
  }
  return true;
}

const Labels* Evaluator::Intern(Labels l) {
  label_arena_.push_back(std::move(l));
  return &label_arena_.back();
}

const Labels* Evaluator::InternShared(Labels l) {
  auto& bucket = shared_labels_[l.Hash()];
  for (const Labels* p : bucket) {
    if (*p == l) return p;
  }
  const Labels* p = Intern(std::move(l));
  bucket.push_back(p);
  return p;
}

bool HasOneMetricName(const Expr& e) {
  const Expr& u = Unparen(e);
  const VectorSelector* vs = nullptr;
  if (u.kind == ExprKind::kVectorSelector) vs = static_cast<const VectorSelector*>(&u);
  if (u.kind == ExprKind::kMatrixSelector) vs = static_cast<const MatrixSelector&>(u).vs.get();
  if (vs == nullptr) return false;
  for (const LabelMatcher& m : vs->matchers) {
    if (m.name() == kMetricNameLabel && m.op() == MatchOp::kEqual && !m.value().empty()) {
      return true;
    }
  }
  return false;
}

const Labels* Evaluator::WithoutName(const Labels* l) {
  if (!l->Has(kMetricNameLabel)) return l;
  auto [it, inserted] = without_name_.try_emplace(l, nullptr);
  if (inserted) it->second = InternShared(LabelsBuilder(*l).Del(kMetricNameLabel).Build());
  return it->second;
}

bool Evaluator::CheckDistinct(const Vec& v) {
  if (v.size() < 2) return true;
  distinct_scratch_.clear();
  for (const Elem& e : v) {
    if (!distinct_scratch_.insert(e.labels->Hash()).second) {
      return Fail("vector cannot contain metrics with the same labelset");
    }
  }
  return true;
}

bool Evaluator::TrackSeries(const Expr* node, uint64_t in_hash, uint64_t out_hash) {
  auto [it, inserted] = series_sources_[node].try_emplace(out_hash, in_hash);
  if (!inserted && it->second != in_hash) {
    return Fail("vector cannot contain metrics with the same labelset");
  }
  return true;
}

std::span<const Sample> Evaluator::StoreSamples(std::vector<Sample> s) {
  sample_arena_.push_back(std::move(s));
  return sample_arena_.back();
}

const FloatHistogram* Evaluator::StoreHistogram(FloatHistogram h) {
  histogram_arena_.push_back(std::move(h));
  return &histogram_arena_.back();
}

const FloatHistogram* Evaluator::KeepHistogram(std::shared_ptr<const FloatHistogram> h) {
  kept_histograms_.push_back(std::move(h));
  return kept_histograms_.back().get();
}

std::span<const HistogramSample> Evaluator::StoreHistogramSamples(std::vector<HistogramSample> s) {
  histogram_sample_arena_.push_back(std::move(s));
  return histogram_sample_arena_.back();
}

bool Evaluator::Fail(std::string msg) {
  if (err_.ok()) err_ = InvalidArgument(std::move(msg));
  return false;
}

TimestampMs Evaluator::ResolveAt(const TimeModifiers& m, TimestampMs ts) const {
  switch (m.at) {
    case AtKind::kNone:
      return ts;
    case AtKind::kTimestamp:
      return m.at_ms;
    case AtKind::kStart:
      return start_;
    case AtKind::kEnd:
      return end_;
  }
  return ts;
}

void Evaluator::CollectRanges(const Expr& e, TimestampMs start, TimestampMs end) {
  auto add = [&](const VectorSelector* vs, TimestampMs lo, TimestampMs hi) {
    auto [it, inserted] = ranges_.try_emplace(vs, lo, hi);
    if (!inserted) {
      it->second.first = std::min(it->second.first, lo);
      it->second.second = std::max(it->second.second, hi);
    }
  };
  switch (e.kind) {
    case ExprKind::kNumber:
    case ExprKind::kString:
      return;
    case ExprKind::kVectorSelector: {
      const auto& vs = static_cast<const VectorSelector&>(e);
      TimestampMs s = vs.mods.at != AtKind::kNone ? ResolveAt(vs.mods, start) : start;
      TimestampMs en = vs.mods.at != AtKind::kNone ? ResolveAt(vs.mods, end) : end;
      s -= vs.mods.offset_ms;
      en -= vs.mods.offset_ms;
      add(&vs, s - opts_.lookback_delta.count(), en);
      return;
    }
    case ExprKind::kMatrixSelector: {
      const auto& ms = static_cast<const MatrixSelector&>(e);
      const auto& vs = *ms.vs;
      TimestampMs s = vs.mods.at != AtKind::kNone ? ResolveAt(vs.mods, start) : start;
      TimestampMs en = vs.mods.at != AtKind::kNone ? ResolveAt(vs.mods, end) : end;
      s -= vs.mods.offset_ms;
      en -= vs.mods.offset_ms;
      add(&vs, s - ms.range_ms, en);
      return;
    }
    case ExprKind::kSubquery: {
      const auto& sq = static_cast<const SubqueryExpr&>(e);
      TimestampMs s = sq.mods.at != AtKind::kNone ? ResolveAt(sq.mods, start) : start;
      TimestampMs en = sq.mods.at != AtKind::kNone ? ResolveAt(sq.mods, end) : end;
      s -= sq.mods.offset_ms + sq.range_ms;
      en -= sq.mods.offset_ms;
      CollectRanges(*sq.expr, s, en);
      return;
    }
    case ExprKind::kParen:
      CollectRanges(*static_cast<const ParenExpr&>(e).expr, start, end);
      return;
    case ExprKind::kUnary:
      CollectRanges(*static_cast<const UnaryExpr&>(e).expr, start, end);
      return;
    case ExprKind::kBinary: {
      const auto& b = static_cast<const BinaryExpr&>(e);
      CollectRanges(*b.lhs, start, end);
      CollectRanges(*b.rhs, start, end);
      return;
    }
    case ExprKind::kCall:
      for (const auto& a : static_cast<const Call&>(e).args) CollectRanges(*a, start, end);
      return;
    case ExprKind::kAggregate: {
      const auto& a = static_cast<const AggregateExpr&>(e);
      if (a.param) CollectRanges(*a.param, start, end);
      CollectRanges(*a.expr, start, end);
      return;
    }
  }
}

Status Evaluator::Prepare(const Expr& root) {
  // An instant query evaluates each selector once (outside subqueries), so its series are
  // streamed from a Querier then, one at a time, instead of all being selected here: a range
  // function reduces each series' window, an instant selector reads only the newest sample.
  if (start_ == end_) FindStreamedSelectors(root, false);
  CollectRanges(root, start_, end_);
  size_t total = 0;
  for (const auto& [vs, range] : ranges_) {
    if (streamed_.contains(vs) || latest_.contains(vs)) continue;
    auto querier = data_.NewQuerier(range.first, range.second);
    Selected sel;
    sel.series = querier->Select(vs->matchers);
    for (const SeriesData& s : sel.series) total += s.samples.size() + s.histograms.size();
    selected_.emplace(vs, std::move(sel));
  }
  if (total > opts_.max_samples) {
    return ResourceExhausted(
        "query processing would load too many samples into memory in query execution");
  }
  return Status::Ok();
}

bool Evaluator::EvalVectorSelector(const VectorSelector& vs, TimestampMs ts, EvalValue& out) {
  TimestampMs t = ResolveAt(vs.mods, ts) - vs.mods.offset_ms;
  return EvalSelectorWindow(vs, t, t - opts_.lookback_delta.count(), out);
}

bool Evaluator::EvalTimestampAt(const VectorSelector& vs, TimestampMs ts, EvalValue& out) {
  // Prometheus's engine reads the series at T itself (it sets the selector's offset to ts - T,
  // losing O: prometheus#8433's fix for timestamp() with @), with lookback window (T - lookback,
  // T]; but its storage query still covers what the selector asked for, [T - O - lookback + 1,
  // T - O], and only samples in both count.
  const TimestampMs at = ResolveAt(vs.mods, ts);
  const TimestampMs off = vs.mods.offset_ms;
  const int64_t lookback = opts_.lookback_delta.count();
  TimestampMs hi = std::min(at, at - off);
  TimestampMs lo = std::max(at - lookback, at - off - lookback);
  if (hi <= lo) {
    out.type = ValueType::kVector;
    return true;
  }
  return EvalSelectorWindow(vs, hi, lo, out);
}

bool Evaluator::EvalSelectorWindow(const VectorSelector& vs, TimestampMs t, TimestampMs lo,
                                   EvalValue& out) {
  out.type = ValueType::kVector;
  if (latest_.contains(&vs)) return EvalLatestSelector(vs, t, lo, out.vec);
  const Selected& sel = selected_.at(&vs);
  out.vec.reserve(sel.series.size());
  for (const SeriesData& s : sel.series) {
    Elem e;
    if (LatestOf(s.labels, s.samples, s.histograms, t, lo, e)) out.vec.push_back(e);
  }
  return true;
}

bool Evaluator::EvalMatrixSelector(const MatrixSelector& ms, TimestampMs ts, EvalValue& out) {
  out.type = ValueType::kMatrix;
  const Selected& sel = selected_.at(ms.vs.get());
  TimestampMs t = ResolveAt(ms.vs->mods, ts) - ms.vs->mods.offset_ms;
  TimestampMs lo = t - ms.range_ms;
  out.mat.reserve(sel.series.size());
  std::vector<Sample> without_stale;
  for (const SeriesData& s : sel.series) {
    RangeElem r = WindowOf(s.labels, s.samples, s.histograms, lo, t, without_stale);
    if (r.samples.empty() && r.histograms.empty()) continue;
    // The copy without stale markers must outlive this call.
    if (!r.samples.empty() && r.samples.data() == without_stale.data()) {
      r.samples = StoreSamples(std::move(without_stale));
    }
    samples_in_flight_ += r.samples.size() + r.histograms.size();
    out.mat.push_back(r);
  }
  if (samples_in_flight_ > opts_.max_samples) return FailTooManySamples();
  return true;
}

bool Evaluator::FailTooManySamples() {
  return Fail("query processing would load too many samples into memory in query execution");
}

bool Evaluator::EvalSubquery(const SubqueryExpr& sq, TimestampMs ts, EvalValue& out) {
  out.type = ValueType::kMatrix;
  int64_t step = sq.step_ms > 0 ? sq.step_ms : opts_.default_subquery_step.count();
  if (step <= 0) step = 60000;
  TimestampMs end = ResolveAt(sq.mods, ts) - sq.mods.offset_ms;
  TimestampMs lo = end - sq.range_ms;
  TimestampMs start = step * (lo / step);
  if (start <= lo) start += step;
  struct Acc {
    const Labels* labels;
    std::vector<Sample> samples;
    std::vector<HistogramSample> histograms;
  };
  std::vector<Acc> acc;
  std::unordered_map<uint64_t, size_t> index;
  for (TimestampMs t = start; t <= end; t += step) {
    EvalValue v;
    if (Expired() || !Eval(*sq.expr, t, v)) return false;
    for (const Elem& e : v.vec) {
      uint64_t h = LabelsHash(*e.labels);
      auto [it, inserted] = index.try_emplace(h, acc.size());
      if (inserted) acc.push_back(Acc{e.labels, {}, {}});
      if (e.h != nullptr) {
        acc[it->second].histograms.push_back(HistogramSample{t, BorrowHistogram(e.h)});
      } else {
        acc[it->second].samples.push_back(Sample{t, e.v});
      }
    }
    samples_in_flight_ += v.vec.size();
    if (samples_in_flight_ > opts_.max_samples) return FailTooManySamples();
  }
  out.mat.reserve(acc.size());
  for (Acc& a : acc) {
    out.mat.push_back(RangeElem{a.labels, StoreSamples(std::move(a.samples)),
                                a.histograms.empty()
                                    ? std::span<const HistogramSample>()
                                    : StoreHistogramSamples(std::move(a.histograms))});
  }
  return true;
}

bool Evaluator::EvalBinary(const BinaryExpr& b, TimestampMs ts, EvalValue& out) {
  EvalValue lhs, rhs;
  if (!Eval(*b.lhs, ts, lhs)) return false;
  if (!Eval(*b.rhs, ts, rhs)) return false;
  return EvalBinaryValues(*this, b, lhs, rhs, out);
}

bool Evaluator::EvalAggregate(const AggregateExpr& a, TimestampMs ts, EvalValue& out) {
  double param = 0;
  std::string sparam;
  if (a.param) {
    // Prometheus 3.0 evaluates the parameter once, at the first step of the query.
    EvalValue p;
    if (!Eval(*a.param, start_, p)) return false;
    param = p.scalar;
    sparam = p.str;
  }
  out.type = ValueType::kVector;
  const Expr& inner = Unparen(*a.expr);
  if (inner.kind == ExprKind::kCall) {
    const auto& call = static_cast<const Call&>(inner);
    if (const MatrixSelector* ms = StreamedArg(call)) {
      // Each series' result goes straight into its group: no intermediate vector.
      Aggregator agg(*this, a, param, std::move(sparam));
      if (!agg.Begin()) return false;
      bool keeps = agg.KeepsElems();
      // The streamed results still carry the series' names. Most aggregations group by
      // labels that cannot include the name (without() drops it, by() may list it), and then
      // it need not be dropped first.
      bool drop = !call.func->keeps_name &&
                  (keeps || (!a.without && std::find(a.grouping.begin(), a.grouping.end(),
                                                     kMetricNameLabel) != a.grouping.end()));
      Labels without_name;
      bool ok = EvalStreamedCall(call, *ms, ts, [&](const Elem& e, size_t) {
        Elem in = e;
        if (drop && e.labels->Has(kMetricNameLabel)) {
          without_name = LabelsBuilder(*e.labels).Del(kMetricNameLabel).Build();
          in.labels = &without_name;
        }
        if (keeps) in.labels = Intern(*in.labels);
        agg.Add(in);
      });
      if (!ok) return false;
      agg.Finish(out.vec);
      return true;
    }
  }
  EvalValue in;
  if (!Eval(*a.expr, ts, in)) return false;
  return EvalAggregation(*this, a, param, sparam, in.vec, out.vec);
}

bool Evaluator::EvalCall(const Call& c, TimestampMs ts, EvalValue& out) {
  if (const MatrixSelector* ms = StreamedArg(c)) {
    out.type = ValueType::kVector;
    const bool drop = !c.func->keeps_name;
    return EvalStreamedCall(c, *ms, ts, [&](const Elem& e, size_t remaining_hint) {
      if (out.vec.empty()) out.vec.reserve(remaining_hint + 1);
      out.vec.push_back(e);
      // Streamed labels live only during the call.
      out.vec.back().labels =
          Intern(drop ? LabelsBuilder(*e.labels).Del(kMetricNameLabel).Build() : *e.labels);
    });
  }
  out.type = c.func->return_type;
  // timestamp() over a plain selector reports the samples' own timestamps.
  std::vector<EvalValue> args(c.args.size());
  if (c.func->id == FuncId::kTimestamp && Unparen(*c.args[0]).kind == ExprKind::kVectorSelector) {
    const auto& vs = static_cast<const VectorSelector&>(Unparen(*c.args[0]));
    if (vs.mods.at != AtKind::kNone) {
      if (!EvalTimestampAt(vs, ts, args[0])) return false;
      return EvalInstantFunction(*this, c, args, ts, out);
    }
  }
  int matrix_arg = -1;
  for (size_t i = 0; i < c.args.size(); ++i) {
    if (!Eval(*c.args[i], ts, args[i])) return false;
    if (args[i].type == ValueType::kMatrix) matrix_arg = static_cast<int>(i);
  }
  if (matrix_arg >= 0) {
    const Expr& m = Unparen(*c.args[static_cast<size_t>(matrix_arg)]);
    int64_t range_ms = 0;
    TimestampMs window_end = ts;
    if (m.kind == ExprKind::kMatrixSelector) {
      const auto& ms = static_cast<const MatrixSelector&>(m);
      range_ms = ms.range_ms;
      window_end = ResolveAt(ms.vs->mods, ts) - ms.vs->mods.offset_ms;
    } else if (m.kind == ExprKind::kSubquery) {
      const auto& sq = static_cast<const SubqueryExpr&>(m);
      range_ms = sq.range_ms;
      window_end = ResolveAt(sq.mods, ts) - sq.mods.offset_ms;
    }
    out.type = ValueType::kVector;
    return EvalRangeFunction(*this, c, args, ts, range_ms, window_end, out.vec);
  }
  return EvalInstantFunction(*this, c, args, ts, out);
}

bool Evaluator::Eval(const Expr& e, TimestampMs ts, EvalValue& out) {
  if (ExpiredSampled()) return false;
  switch (e.kind) {
    case ExprKind::kNumber:
      out.type = ValueType::kScalar;
      out.scalar = static_cast<const NumberLiteral&>(e).value;
      return true;
    case ExprKind::kString:
      out.type = ValueType::kString;
      out.str = static_cast<const StringLiteral&>(e).value;
      return true;
    case ExprKind::kVectorSelector:
      return EvalVectorSelector(static_cast<const VectorSelector&>(e), ts, out);
    case ExprKind::kMatrixSelector:
      return EvalMatrixSelector(static_cast<const MatrixSelector&>(e), ts, out);
    case ExprKind::kSubquery:
      return EvalSubquery(static_cast<const SubqueryExpr&>(e), ts, out);
    case ExprKind::kParen:
      return Eval(*static_cast<const ParenExpr&>(e).expr, ts, out);
    case ExprKind::kUnary: {
      const auto& u = static_cast<const UnaryExpr&>(e);
      if (!Eval(*u.expr, ts, out)) return false;
      if (u.negate) {
        out.scalar = -out.scalar;
        for (Elem& el : out.vec) {
          el.v = -el.v;
          if (el.h != nullptr) {
            FloatHistogram neg = *el.h;
            neg.Mul(-1);
            el.h = StoreHistogram(std::move(neg));
          }
          // Prometheus negates its operand's whole matrix, then checks it for duplicates.
          const Labels* in = el.labels;
          el.labels = WithoutName(in);
          if (HasOneMetricName(*u.expr)) continue;
          uint64_t out_hash = el.labels->Hash();
          uint64_t in_hash = in == el.labels ? out_hash : in->Hash();
          if (!TrackSeries(&u, in_hash, out_hash)) return false;
        }
      }
      return true;
    }
    case ExprKind::kBinary:
      return EvalBinary(static_cast<const BinaryExpr&>(e), ts, out);
    case ExprKind::kCall:
      return EvalCall(static_cast<const Call&>(e), ts, out);
    case ExprKind::kAggregate:
      return EvalAggregate(static_cast<const AggregateExpr&>(e), ts, out);
  }
  return Fail("unknown expression");
}

// ---------------------------------------------------------------------------------------------

namespace {

Status DuplicateLabelsetError() {
  return InvalidArgument("vector cannot contain metrics with the same labelset");
}

}  // namespace

Engine::Engine(EngineOptions options) : options_(options) {}

Result<Value> Engine::Instant(const ExprPtr& expr, const Queryable& data, TimestampMs t,
                              const QueryLimits& limits) const {
  Evaluator ev(options_, data, t, t, &limits);
  TOCSIN_RETURN_IF_ERROR(ev.Prepare(*expr));
  if (ev.Expired()) return ev.error();
  EvalValue v;
  if (!ev.Eval(*expr, t, v)) return ev.error();
  Value out;
  out.type = v.type;
  out.t = t;
  switch (v.type) {
    case ValueType::kScalar:
      out.scalar = v.scalar;
      break;
    case ValueType::kString:
      out.str = v.str;
      break;
    case ValueType::kVector: {
      out.vector.reserve(v.vec.size());
      for (const Elem& e : v.vec) {
        out.vector.push_back(
            InstantSample{*e.labels, e.v, e.h ? std::make_shared<FloatHistogram>(*e.h) : nullptr});
      }
      // Equal label sets: every node that can produce them has checked its own output.
      break;
    }
    case ValueType::kMatrix: {
      for (const RangeElem& r : v.mat) {
        RangeSeries rs{*r.labels, {r.samples.begin(), r.samples.end()}, {}};
        for (const HistogramSample& hs : r.histograms) {
          rs.histograms.push_back({hs.t, std::make_shared<FloatHistogram>(*hs.h)});
        }
        out.matrix.push_back(std::move(rs));
      }
      break;
    }
    case ValueType::kNone:
      break;
  }
  return out;
}

Result<Value> Engine::Range(const ExprPtr& expr, const Queryable& data, TimestampMs start,
                            TimestampMs end, std::chrono::milliseconds step,
                            const QueryLimits& limits) const {
  ValueType type = TypeOf(*expr);
  if (type != ValueType::kScalar && type != ValueType::kVector) {
    return InvalidArgument("invalid expression type \"" + std::string(ValueTypeName(type)) +
                           "\" for range query, must be Scalar or instant Vector");
  }
  if (step.count() <= 0) {
    return InvalidArgument("zero or negative query resolution step widths are not accepted");
  }
  if (end < start) return InvalidArgument("end timestamp must not be before start time");
  Evaluator ev(options_, data, start, end, &limits);
  TOCSIN_RETURN_IF_ERROR(ev.Prepare(*expr));
  struct Acc {
    const Labels* labels;
    std::vector<Sample> points;
    std::vector<HistogramSample> histograms;
  };
  std::vector<Acc> acc;
  std::unordered_map<const Labels*, size_t> by_ptr;
  std::unordered_map<uint64_t, size_t> by_hash;
  size_t points = 0;
  // Steps counted in uint64: `t += step` past the last step could leave int64.
  const uint64_t last_step =
      (static_cast<uint64_t>(end) - static_cast<uint64_t>(start)) / step.count();
  for (uint64_t i = 0; i <= last_step; ++i) {
    const auto t = static_cast<TimestampMs>(static_cast<uint64_t>(start) + i * step.count());
    EvalValue v;
    ev.ResetSampleCount();
    if (ev.Expired() || !ev.Eval(*expr, t, v)) return ev.error();
    if (v.type == ValueType::kScalar) {
      if (acc.empty()) acc.push_back(Acc{ev.Intern(Labels{}), {}, {}});
      acc[0].points.push_back(Sample{t, v.scalar});
      continue;
    }
    for (const Elem& e : v.vec) {
      size_t idx;
      auto pit = by_ptr.find(e.labels);
      if (pit != by_ptr.end()) {
        idx = pit->second;
      } else {
        uint64_t h = e.labels->Hash();
        auto [hit, inserted] = by_hash.try_emplace(h, acc.size());
        if (inserted) acc.push_back(Acc{e.labels, {}, {}});
        idx = hit->second;
        by_ptr.emplace(e.labels, idx);
      }
      // Equal label sets at one step: the nodes that can produce them have failed already;
      // kept as Prometheus's rangeEval check of the top node.
      Acc& a = acc[idx];
      if ((!a.points.empty() && a.points.back().t == t) ||
          (!a.histograms.empty() && a.histograms.back().t == t)) {
        return DuplicateLabelsetError();
      }
      if (e.h != nullptr) {
        a.histograms.push_back({t, std::make_shared<FloatHistogram>(*e.h)});
      } else {
        a.points.push_back(Sample{t, e.v});
      }
    }
    points += v.vec.size();
    if (points > options_.max_samples) {
      return ResourceExhausted(
          "query processing would load too many samples into memory in query execution");
    }
  }
  Value out;
  out.type = ValueType::kMatrix;
  out.t = end;
  out.matrix.reserve(acc.size());
  for (Acc& a : acc) {
    out.matrix.push_back(RangeSeries{*a.labels, std::move(a.points), std::move(a.histograms)});
  }
  std::sort(out.matrix.begin(), out.matrix.end(),
            [](const RangeSeries& x, const RangeSeries& y) { return x.labels < y.labels; });
  return out;
}

}  // namespace tocsin::promql
