// Functions over range vectors: rate/increase/delta (Prometheus 3 extrapolation), irate/idelta,
// deriv/predict_linear, changes/resets, *_over_time, double_exponential_smoothing,
// absent_over_time.
#include <algorithm>
#include <cmath>
#include <limits>

#include "agent/core/go_format.h"
#include "agent/promql/eval.h"
#include "agent/promql/functions.h"

namespace tocsin::promql {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool ExtrapolatedRate(std::span<const Sample> s, const RateWindow& window, bool is_counter,
                      bool is_rate, double& out) {
  if (s.size() < 2) return false;
  size_t n1 = s.size() - 1;
  double result = s[n1].v - s[0].v;
  if (is_counter) {
    double prev = s[0].v;
    for (size_t i = 1; i < s.size(); ++i) {
      if (s[i].v < prev) result += prev;
      prev = s[i].v;
    }
  }
  double to_zero = std::numeric_limits<double>::infinity();
  if (is_counter && result > 0 && s[0].v >= 0) {
    to_zero = (static_cast<double>(s[n1].t - s[0].t) / 1000) * (s[0].v / result);
  }
  out = result * ExtrapolationFactor(s[0].t, s[n1].t, n1, window, is_rate, to_zero);
  return true;
}

bool InstantValue(std::span<const Sample> s, bool is_rate, double& out) {
  if (s.size() < 2) return false;
  const Sample& last = s[s.size() - 1];
  const Sample& prev = s[s.size() - 2];
  double v = (is_rate && last.v < prev.v) ? last.v : last.v - prev.v;
  TimestampMs dt = last.t - prev.t;
  if (dt == 0) return false;
  if (is_rate) v /= static_cast<double>(dt) / 1000;
  out = v;
  return true;
}

void LinearRegression(std::span<const Sample> s, TimestampMs intercept_time, double& slope,
                      double& intercept) {
  double n = 0, sum_x = 0, cx = 0, sum_y = 0, cy = 0, sum_xy = 0, cxy = 0, sum_x2 = 0, cx2 = 0;
  double init_y = s[0].v;
  bool const_y = true;
  for (size_t i = 0; i < s.size(); ++i) {
    if (const_y && i > 0 && s[i].v != init_y) const_y = false;
    n += 1;
    double x = static_cast<double>(s[i].t - intercept_time) / 1e3;
    KahanSumInc(x, sum_x, cx);
    KahanSumInc(s[i].v, sum_y, cy);
    KahanSumInc(x * s[i].v, sum_xy, cxy);
    KahanSumInc(x * x, sum_x2, cx2);
  }
  if (const_y) {
    if (std::isinf(init_y)) {
      slope = intercept = kNaN;
      return;
    }
    slope = 0;
    intercept = init_y;
    return;
  }
  sum_x += cx;
  sum_y += cy;
  sum_xy += cxy;
  sum_x2 += cx2;
  double cov_xy = sum_xy - sum_x * sum_y / n;
  double var_x = sum_x2 - sum_x * sum_x / n;
  slope = cov_xy / var_x;
  intercept = sum_y / n - slope * sum_x / n;
}

double AvgOverTime(std::span<const Sample> s) {
  double sum = 0, mean = 0, count = 0, c = 0;
  bool incremental = false;
  for (size_t i = 0; i < s.size(); ++i) {
    double f = s[i].v;
    count = static_cast<double>(i + 1);
    if (!incremental) {
      double ns = sum, nc = c;
      KahanSumInc(f, ns, nc);
      if (count == 1 || !std::isinf(ns)) {
        sum = ns;
        c = nc;
        continue;
      }
      incremental = true;
      mean = sum / (count - 1);
      c /= count - 1;
    }
    if (std::isinf(mean)) {
      if (std::isinf(f) && (mean > 0) == (f > 0)) continue;
      if (!std::isinf(f) && !std::isnan(f)) continue;
    }
    double corrected = mean + c;
    KahanSumInc(f / count - corrected / count, mean, c);
  }
  return incremental ? mean + c : (sum + c) / count;
}

double Variance(std::span<const Sample> s) {
  double count = 0, mean = 0, cmean = 0, aux = 0, caux = 0;
  for (const Sample& x : s) {
    count++;
    double delta = x.v - (mean + cmean);
    KahanSumInc(delta / count, mean, cmean);
    KahanSumInc(delta * (x.v - (mean + cmean)), aux, caux);
  }
  return (aux + caux) / count;
}

double TrendValue(int i, double tf, double s0, double s1, double b) {
  if (i == 0) return b;
  return tf * (s1 - s0) + (1 - tf) * b;
}

}  // namespace

double ExtrapolationFactor(TimestampMs first_t, TimestampMs last_t, size_t intervals,
                           const RateWindow& window, bool is_rate, double duration_to_zero) {
  double to_start = static_cast<double>(first_t - window.start) / 1000;
  double to_end = static_cast<double>(window.end - last_t) / 1000;
  double sampled = static_cast<double>(last_t - first_t) / 1000;
  double avg = sampled / static_cast<double>(intervals);
  double threshold = avg * 1.1;
  double interval = sampled;
  if (to_start >= threshold) to_start = avg / 2;
  if (duration_to_zero < to_start) to_start = duration_to_zero;
  interval += to_start;
  if (to_end >= threshold) to_end = avg / 2;
  interval += to_end;
  double factor = interval / sampled;
  if (is_rate) factor /= window.range_secs;
  return factor;
}

Labels AbsentLabels(const Expr& arg);  // functions_instant.cc

RangeFunctionApplier::RangeFunctionApplier(Evaluator& ev, const Call& c,
                                           const std::vector<EvalValue>& args, TimestampMs ts,
                                           int64_t range_ms, TimestampMs window_end)
    : ev_(ev),
      c_(c),
      id_(c.func->id),
      ts_(ts),
      window_{window_end - range_ms, window_end, static_cast<double>(range_ms) / 1000},
      keeps_name_(c.func->keeps_name) {
  size_t mi = 0;
  while (mi < args.size() && args[mi].type != ValueType::kMatrix) ++mi;
  p0_ = args.size() > 1 ? args[mi == 0 ? 1 : 0].scalar : 0;
  p1_ = args.size() > 2 ? args[2].scalar : 0;
  track_ = !keeps_name_ && !(mi < c.args.size() && HasOneMetricName(*c.args[mi]));
}

bool RangeFunctionApplier::Finish(Vec& out) {
  if (id_ == FuncId::kAbsentOverTime && series_ == 0) {
    out.push_back(Elem{ev_.Intern(AbsentLabels(*c_.args[0])), 1, ts_});
  }
  return true;
}

bool EvalRangeFunction(Evaluator& ev, const Call& c, const std::vector<EvalValue>& args,
                       TimestampMs ts, int64_t range_ms, TimestampMs window_end, Vec& out) {
  size_t mi = 0;
  while (mi < args.size() && args[mi].type != ValueType::kMatrix) ++mi;
  const Mat& mat = args[mi].mat;
  RangeFunctionApplier fn(ev, c, args, ts, range_ms, window_end);
  out.reserve(mat.size());
  for (const RangeElem& r : mat) {
    if (!fn.Apply(r, out)) return false;
  }
  return fn.Finish(out);
}

bool RangeFunctionApplier::Emit(const RangeElem& r, Elem e, Vec& out) {
  // Every range function but last_over_time drops the metric name, so two input series may
  // give one output series: Prometheus fails on that over the node's whole result matrix.
  if (!keeps_name_ && !transient_labels_) e.labels = ev_.WithoutName(r.labels);
  if (track_) {
    uint64_t in_hash = r.labels->Hash();
    uint64_t out_hash = !r.labels->Has(kMetricNameLabel)
                            ? in_hash
                            : LabelsBuilder(*r.labels).Del(kMetricNameLabel).Build().Hash();
    if (!ev_.TrackSeries(&c_, in_hash, out_hash)) return false;
  }
  out.push_back(e);
  return true;
}

bool RangeFunctionApplier::Apply(const RangeElem& r, Vec& out) {
  ++series_;
  FuncId id = id_;
  if (id == FuncId::kAbsentOverTime) return true;
  if (series_ == 1 && id == FuncId::kDoubleExponentialSmoothing) {
    if (p0_ <= 0 || p0_ >= 1) {
      return ev_.Fail("invalid smoothing factor. Expected: 0 < sf < 1, got: " +
                      FormatGoPrintfF(p0_));
    }
    if (p1_ <= 0 || p1_ >= 1) {
      return ev_.Fail("invalid trend factor. Expected: 0 < tf < 1, got: " + FormatGoPrintfF(p1_));
    }
  }
  const RateWindow& window = window_;
  const double p0 = p0_, p1 = p1_;
  std::vector<double>& scratch = scratch_;
  TimestampMs ts = ts_;
  if (!r.histograms.empty() && AcceptsHistogramWindow(id)) {
    Elem e{r.labels, 0, ts};
    if (RangeFunctionOverHistograms(ev_, id, r, window, e)) return Emit(r, e, out);
    return true;
  }
  std::span<const Sample> s = r.samples;  // float-only functions ignore histogram samples
  if (s.empty()) return true;
  double v = 0;
  bool ok = true;
  switch (id) {
    case FuncId::kRate:
      ok = ExtrapolatedRate(s, window, true, true, v);
      break;
    case FuncId::kIncrease:
      ok = ExtrapolatedRate(s, window, true, false, v);
      break;
    case FuncId::kDelta:
      ok = ExtrapolatedRate(s, window, false, false, v);
      break;
    case FuncId::kIrate:
      ok = InstantValue(s, true, v);
      break;
    case FuncId::kIdelta:
      ok = InstantValue(s, false, v);
      break;
    case FuncId::kDeriv: {
      if (s.size() < 2) {
        ok = false;
        break;
      }
      double slope, intercept;
      LinearRegression(s, s[0].t, slope, intercept);
      v = slope;
      break;
    }
    case FuncId::kPredictLinear: {
      if (s.size() < 2) {
        ok = false;
        break;
      }
      double slope, intercept;
      LinearRegression(s, ts, slope, intercept);
      v = slope * p0 + intercept;
      break;
    }
    case FuncId::kChanges: {
      double prev = s[0].v;
      double n = 0;
      for (size_t i = 1; i < s.size(); ++i) {
        double cur = s[i].v;
        if (cur != prev && !(std::isnan(cur) && std::isnan(prev))) n++;
        prev = cur;
      }
      v = n;
      break;
    }
    case FuncId::kResets: {
      double prev = s[0].v;
      double n = 0;
      for (size_t i = 1; i < s.size(); ++i) {
        if (s[i].v < prev) n++;
        prev = s[i].v;
      }
      v = n;
      break;
    }
    case FuncId::kAvgOverTime:
      v = AvgOverTime(s);
      break;
    case FuncId::kCountOverTime:
      v = static_cast<double>(s.size());
      break;
    case FuncId::kLastOverTime:
      v = s.back().v;
      break;
    case FuncId::kPresentOverTime:
      v = 1;
      break;
    case FuncId::kMaxOverTime:
      v = s[0].v;
      for (const Sample& x : s) {
        if (x.v > v || std::isnan(v)) v = x.v;
      }
      break;
    case FuncId::kMinOverTime:
      v = s[0].v;
      for (const Sample& x : s) {
        if (x.v < v || std::isnan(v)) v = x.v;
      }
      break;
    case FuncId::kSumOverTime: {
      double sum = 0, comp = 0;
      for (const Sample& x : s) KahanSumInc(x.v, sum, comp);
      v = std::isinf(sum) ? sum : sum + comp;
      break;
    }
    case FuncId::kQuantileOverTime:
      scratch.clear();
      for (const Sample& x : s) scratch.push_back(x.v);
      v = Quantile(p0, scratch);
      break;
    case FuncId::kStddevOverTime:
      v = std::sqrt(Variance(s));
      break;
    case FuncId::kStdvarOverTime:
      v = Variance(s);
      break;
    case FuncId::kMadOverTime: {
      scratch.clear();
      for (const Sample& x : s) scratch.push_back(x.v);
      double median = Quantile(0.5, scratch);
      scratch.clear();
      for (const Sample& x : s) scratch.push_back(std::fabs(x.v - median));
      v = Quantile(0.5, scratch);
      break;
    }
    case FuncId::kDoubleExponentialSmoothing: {
      if (s.size() < 2) {
        ok = false;
        break;
      }
      double s0 = 0, s1 = s[0].v, b = s[1].v - s[0].v;
      for (size_t i = 1; i < s.size(); ++i) {
        double x = p0 * s[i].v;
        b = TrendValue(static_cast<int>(i) - 1, p1, s0, s1, b);
        double y = (1 - p0) * (s1 + b);
        s0 = s1;
        s1 = x + y;
      }
      v = s1;
      break;
    }
    default:
      return ev_.Fail("function " + std::string(c_.func->name) + " does not take a range vector");
  }
  if (ok) return Emit(r, Elem{r.labels, v, ts}, out);
  return true;
}

}  // namespace tocsin::promql
