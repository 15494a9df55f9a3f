// PromQL over native-histogram samples: histogram_count/sum/avg/stddev/stdvar/fraction and
// histogram_quantile's native path, and the range functions defined over histograms (rate,
// increase, delta, irate, idelta, changes, resets, sum/avg/count/last/present_over_time), with
// Prometheus 3's semantics.
#include <cmath>
#include <limits>

#include "agent/promql/eval.h"
#include "agent/promql/functions.h"

namespace tocsin::promql {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// For custom buckets the outermost bucket's -Inf bound is replaced by 0 when its upper bound is
// positive (as for classic histograms); exponential histograms get the same for a zero bucket
// that only has positive (or only negative) neighbours.
void NaturalBounds(const FloatHistogram& h, FloatHistogram::Bucket& b) {
  if (!(b.lower < 0 && b.upper > 0)) return;
  if (h.UsesCustomBuckets()) {
    if (b.lower == -kInf) b.lower = 0;
    return;
  }
  bool has_negative = false, has_positive = false;
  for (double c : h.negative) has_negative = has_negative || c != 0;
  for (double c : h.positive) has_positive = has_positive || c != 0;
  if (!has_negative && has_positive) b.lower = 0;
  if (has_negative && !has_positive) b.upper = 0;
}

// Variance of the observations, estimated from bucket midpoints (geometric for exponential
// bounds, as Prometheus does; 0 for a bucket spanning zero).
double HistogramVariance(const FloatHistogram& h) {
  double mean = h.sum / h.count;
  double variance = 0, comp = 0;
  for (const FloatHistogram::Bucket& b : h.Buckets()) {
    if (b.count == 0) continue;
    double val;
    if (b.lower <= 0 && 0 <= b.upper) {
      val = 0;
    } else {
      val = std::sqrt(b.upper * b.lower);
      if (b.upper < 0) val = -val;
    }
    double delta = val - mean;
    KahanSumInc(b.count * delta * delta, variance, comp);
  }
  return (variance + comp) / h.count;
}

// The histogram rate/increase/delta of a window that holds only histograms: last - first plus
// every value lost to a counter reset. Returns false (no result) for incompatible layouts.
bool HistogramIncrease(std::span<const HistogramSample> s, bool is_counter, FloatHistogram& out) {
  const FloatHistogram& first = *s.front().h;
  out = *s.back().h;
  for (const HistogramSample& x : s) {
    if (x.h->UsesCustomBuckets() != first.UsesCustomBuckets()) return false;
  }
  if (!out.Sub(first).ok()) return false;
  if (is_counter) {
    const FloatHistogram* prev = &first;
    for (size_t i = 1; i < s.size(); ++i) {
      const FloatHistogram* cur = s[i].h.get();
      if (cur->DetectReset(*prev) && !out.Add(*prev).ok()) return false;
      prev = cur;
    }
  }
  out.hint = FloatHistogram::CounterResetHint::kGauge;
  return true;
}

// One sample of a window, float or histogram, for the functions that walk both in time order.
struct AnySample {
  double v;
  const FloatHistogram* h;
};

template <typename Fn>
void ForEachInTimeOrder(const RangeElem& r, Fn fn) {
  size_t i = 0, j = 0;
  while (i < r.samples.size() || j < r.histograms.size()) {
    if (j >= r.histograms.size() || (i < r.samples.size() && r.samples[i].t < r.histograms[j].t)) {
      fn(AnySample{r.samples[i++].v, nullptr});
    } else {
      fn(AnySample{0, r.histograms[j++].h.get()});
    }
  }
}

}  // namespace

double NativeHistogramQuantile(double q, const FloatHistogram& h) {
  if (q < 0) return -kInf;
  if (q > 1) return kInf;
  if (h.count == 0 || std::isnan(q)) return kNaN;
  std::vector<FloatHistogram::Bucket> buckets = h.Buckets();
  // Low quantiles walk up from the lowest bucket, high ones down from the highest (for
  // precision); NaN observations (sum is NaN) only count in h.count, so walk up then.
  bool forward = std::isnan(h.sum) || q < 0.5;
  double rank = forward ? q * h.count : (1 - q) * h.count;
  double count = 0;
  FloatHistogram::Bucket bucket{0, 0, 0};
  for (size_t k = 0; k < buckets.size(); ++k) {
    bucket = buckets[forward ? k : buckets.size() - 1 - k];
    if (bucket.count == 0) continue;
    count += bucket.count;
    if (count >= rank) break;
  }
  NaturalBounds(h, bucket);
  if (h.UsesCustomBuckets()) {
    if (bucket.lower == -kInf) return bucket.upper;  // only reached for an upper bound <= 0
    if (bucket.upper == kInf) return bucket.lower;
  }
  if (count > h.count) count = h.count;
  if (count < rank) return bucket.upper;
  rank = forward ? rank - (count - bucket.count) : count - rank;
  return bucket.lower + (bucket.upper - bucket.lower) * (rank / bucket.count);
}

double NativeHistogramFraction(double lower, double upper, const FloatHistogram& h) {
  if (h.count == 0 || std::isnan(lower) || std::isnan(upper)) return kNaN;
  if (lower >= upper) return 0;
  double rank = 0, lower_rank = 0, upper_rank = 0;
  bool lower_set = false, upper_set = false;
  for (FloatHistogram::Bucket b : h.Buckets()) {
    NaturalBounds(h, b);
    if (!lower_set && b.lower >= lower) {
      lower_rank = rank;
      lower_set = true;
    }
    if (!upper_set && b.lower >= upper) {
      upper_rank = rank;
      upper_set = true;
    }
    if (lower_set && upper_set) break;
    if (!lower_set && b.lower < lower && b.upper > lower) {
      lower_rank = rank + b.count * (lower - b.lower) / (b.upper - b.lower);
      lower_set = true;
    }
    if (!upper_set && b.lower < upper && b.upper > upper) {
      upper_rank = rank + b.count * (upper - b.lower) / (b.upper - b.lower);
      upper_set = true;
    }
    if (lower_set && upper_set) break;
    rank += b.count;
  }
  if (!lower_set || lower_rank > h.count) lower_rank = h.count;
  if (!upper_set || upper_rank > h.count) upper_rank = h.count;
  return (upper_rank - lower_rank) / h.count;
}

bool EvalHistogramFunction(Evaluator& ev, FuncId id, std::vector<EvalValue>& args, TimestampMs ts,
                           Vec& out) {
  const Vec& in = args.back().vec;
  for (const Elem& e : in) {
    if (e.h == nullptr) continue;  // float samples are ignored, as in Prometheus
    const FloatHistogram& h = *e.h;
    double v;
    switch (id) {
      case FuncId::kHistogramCount:
        v = h.count;
        break;
      case FuncId::kHistogramSum:
        v = h.sum;
        break;
      case FuncId::kHistogramAvg:
        v = h.sum / h.count;
        break;
      case FuncId::kHistogramStddev:
        v = std::sqrt(HistogramVariance(h));
        break;
      case FuncId::kHistogramStdvar:
        v = HistogramVariance(h);
        break;
      case FuncId::kHistogramFraction:
        v = NativeHistogramFraction(args[0].scalar, args[1].scalar, h);
        break;
      default:
        return ev.Fail("not a native-histogram function");
    }
    out.push_back(Elem{ev.WithoutName(e.labels), v, ts});
  }
  return ev.CheckDistinct(out);
}

bool AcceptsHistogramWindow(FuncId id) {
  switch (id) {
    case FuncId::kRate:
    case FuncId::kIncrease:
    case FuncId::kDelta:
    case FuncId::kIrate:
    case FuncId::kIdelta:
    case FuncId::kChanges:
    case FuncId::kResets:
    case FuncId::kSumOverTime:
    case FuncId::kAvgOverTime:
    case FuncId::kCountOverTime:
    case FuncId::kLastOverTime:
    case FuncId::kPresentOverTime:
      return true;
    default:
      return false;
  }
}

bool RangeFunctionOverHistograms(Evaluator& ev, FuncId id, const RangeElem& r,
                                 const RateWindow& window, Elem& out) {
  std::span<const HistogramSample> hs = r.histograms;
  bool only_histograms = r.samples.empty();
  FloatHistogram result;
  double v = 0;
  bool is_histogram = false;
  switch (id) {
    case FuncId::kRate:
    case FuncId::kIncrease:
    case FuncId::kDelta: {
      // A window mixing floats and histograms has no rate.
      if (!only_histograms || hs.size() < 2) return false;
      if (!HistogramIncrease(hs, id != FuncId::kDelta, result)) return false;
      result.Mul(ExtrapolationFactor(hs.front().t, hs.back().t, hs.size() - 1, window,
                                     id == FuncId::kRate, kInf));
      is_histogram = true;
      break;
    }
    case FuncId::kIrate:
    case FuncId::kIdelta: {
      if (!only_histograms || hs.size() < 2) return false;
      const HistogramSample& last = hs[hs.size() - 1];
      const HistogramSample& prev = hs[hs.size() - 2];
      result = *last.h;
      if (id == FuncId::kIdelta || !last.h->DetectReset(*prev.h)) {
        if (!result.Sub(*prev.h).ok()) return false;
      }
      if (id == FuncId::kIrate) result.Div(static_cast<double>(last.t - prev.t) / 1000);
      result.hint = FloatHistogram::CounterResetHint::kGauge;
      is_histogram = true;
      break;
    }
    case FuncId::kChanges:
    case FuncId::kResets: {
      bool first = true;
      AnySample prev{0, nullptr};
      ForEachInTimeOrder(r, [&](const AnySample& cur) {
        if (!first) {
          bool kinds_differ = (prev.h == nullptr) != (cur.h == nullptr);
          if (kinds_differ) {
            v++;
          } else if (cur.h == nullptr) {
            bool changed = cur.v != prev.v && !(std::isnan(cur.v) && std::isnan(prev.v));
            if (id == FuncId::kChanges ? changed : cur.v < prev.v) v++;
          } else if (id == FuncId::kChanges ? !cur.h->ApproxEquals(*prev.h, 0)
                                            : cur.h->DetectReset(*prev.h)) {
            v++;
          }
        }
        first = false;
        prev = cur;
      });
      break;
    }
    case FuncId::kSumOverTime:
    case FuncId::kAvgOverTime: {
      if (!only_histograms) return false;
      result = *hs.front().h;
      for (size_t i = 1; i < hs.size(); ++i) {
        if (!result.Add(*hs[i].h).ok()) return false;
      }
      if (id == FuncId::kAvgOverTime) result.Div(static_cast<double>(hs.size()));
      result.hint = FloatHistogram::CounterResetHint::kGauge;
      is_histogram = true;
      break;
    }
    case FuncId::kCountOverTime:
      v = static_cast<double>(r.samples.size() + hs.size());
      break;
    case FuncId::kPresentOverTime:
      v = 1;
      break;
    case FuncId::kLastOverTime:
      if (!r.samples.empty() && r.samples.back().t > hs.back().t) {
        v = r.samples.back().v;
      } else {
        out.h = hs.back().h.get();
      }
      break;
    default:
      return false;
  }
  out.v = v;
  if (is_histogram) out.h = ev.StoreHistogram(std::move(result));
  return true;
}

}  // namespace tocsin::promql
