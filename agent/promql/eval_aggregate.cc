// Aggregation operators: sum avg count min max group stddev stdvar quantile topk bottomk
// count_values limitk limit_ratio, with by/without grouping.
#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "agent/core/go_format.h"
#include "agent/core/labels.h"
#include "agent/promql/eval.h"

namespace tocsin::promql {
namespace {

struct Group {
  const Labels* labels = nullptr;
  double value = 0;
  double kahan_c = 0;
  double mean = 0;
  double count = 0;
  bool incremental_mean = false;
  bool drop_name = false;
  std::vector<double> values;  // quantile
  std::vector<Elem> elems;     // topk / bottomk / limitk / limit_ratio
  // sum / avg over native histograms: a group of only histograms yields a histogram; a group
  // mixing floats and histograms, or histograms that cannot be added, yields nothing.
  bool has_float = false;
  bool has_histogram = false;
  bool histogram_error = false;
  FloatHistogram histogram;
  double histogram_count = 0;
};

// Whether the aggregation takes native-histogram samples into account; the others ignore them,
// as Prometheus does (min/max/stddev/stdvar/quantile/topk/bottomk/count_values are float-only).
bool AcceptsHistograms(AggOp op) {
  switch (op) {
    case AggOp::kSum:
    case AggOp::kAvg:
    case AggOp::kCount:
    case AggOp::kGroup:
    case AggOp::kLimitk:
    case AggOp::kLimitRatio:
      return true;
    default:
      return false;
  }
}

void AddHistogram(Group& g, const FloatHistogram& h) {
  g.histogram_count++;
  if (!g.has_histogram) {
    g.has_histogram = true;
    g.histogram = h;
    return;
  }
  if (!g.histogram.Add(h).ok()) g.histogram_error = true;
}

// topk ordering: is a "less" than b (NaN is the smallest).
bool TopkLess(double a, double b) { return std::isnan(a) ? !std::isnan(b) : a < b; }
// bottomk ordering: is a "greater-is-better" (NaN is the largest).
bool BottomkLess(double a, double b) { return std::isnan(a) ? !std::isnan(b) : a > b; }

Labels GroupLabels(const Labels& in, const AggregateExpr& a,
                   const std::vector<std::string>& grouping) {
  LabelsBuilder b(in);
  if (a.without) {
    for (const auto& n : grouping) b.Del(n);
    b.Del(kMetricNameLabel);
  } else {
    b.Keep(grouping);
  }
  return b.Build();
}

}  // namespace

std::string FormatFloatPlain(double v) { return FormatGoFloatF(v); }

double Quantile(double q, std::vector<double>& values) {
  if (values.empty() || std::isnan(q)) return std::numeric_limits<double>::quiet_NaN();
  if (q < 0) return -std::numeric_limits<double>::infinity();
  if (q > 1) return std::numeric_limits<double>::infinity();
  std::sort(values.begin(), values.end(), [](double a, double b) { return TopkLess(a, b); });
  double n = static_cast<double>(values.size());
  double rank = q * (n - 1);
  double lower = std::max(0.0, std::floor(rank));
  double upper = std::min(n - 1, lower + 1);
  double weight = rank - std::floor(rank);
  return values[static_cast<size_t>(lower)] * (1 - weight) +
         values[static_cast<size_t>(upper)] * weight;
}

bool EvalAggregation(Evaluator& ev, const AggregateExpr& a, double param, const std::string& sparam,
                     Vec& in, Vec& out) {
  const AggOp op = a.op;
  std::vector<std::string> grouping = a.grouping;
  int64_t k = 0;
  if (op == AggOp::kTopk || op == AggOp::kBottomk || op == AggOp::kLimitk) {
    if (!(param <= 9.2233720368547748e18 && param >= -9.2233720368547758e18)) {
      return ev.Fail("Scalar value " + FormatFloatPlain(param) + " overflows int64");
    }
    k = static_cast<int64_t>(param);
    if (k < 1) return true;
  }
  if (op == AggOp::kLimitRatio) {
    if (std::isnan(param)) return ev.Fail("Ratio value NaN is not a number");
    param = std::clamp(param, -1.0, 1.0);
    if (param == 0) return true;
  }
  // count_values: rewrite each sample with the value label, then count.
  std::vector<const Labels*> rewritten;
  if (op == AggOp::kCountValues) {
    if (sparam.empty() || !IsValidLabelName(sparam)) {
      return ev.Fail("invalid label name \"" + sparam + "\"");
    }
    if (!a.without) grouping.push_back(sparam);
    rewritten.reserve(in.size());
    for (const Elem& e : in) {
      LabelsBuilder b(*e.labels);
      b.Set(sparam, FormatFloatPlain(e.v));
      rewritten.push_back(ev.InternShared(b.Build()));
    }
  }

  std::vector<Group> groups;
  // Groups are keyed by a hash of their labels (as Prometheus does); the label set itself is
  // only built when a group is created.
  std::unordered_map<uint64_t, size_t> index;
  std::hash<std::string_view> hs;
  for (size_t i = 0; i < in.size(); ++i) {
    const Elem& e = in[i];
    if (e.h != nullptr && !AcceptsHistograms(op)) continue;
    const Labels* src = op == AggOp::kCountValues ? rewritten[i] : e.labels;
    uint64_t key = 0x9e3779b97f4a7c15ULL;
    for (const Label& l : *src) {
      bool listed = false;
      for (const std::string& n : grouping) {
        if (n == l.name) {
          listed = true;
          break;
        }
      }
      if (a.without ? (listed || l.name == kMetricNameLabel) : !listed) continue;
      key ^= hs(l.name) + 0x9e3779b97f4a7c15ULL + (key << 6) + (key >> 2);
      key ^= hs(l.value) + 0x517cc1b727220a95ULL + (key << 6) + (key >> 2);
    }
    auto [it, inserted] = index.try_emplace(key, groups.size());
    double v = e.v;
    if (inserted) {
      const Labels* gl = ev.InternShared(GroupLabels(*src, a, grouping));
      Group g;
      g.labels = gl;
      g.drop_name = e.drop_name && gl->Has(kMetricNameLabel);
      if (e.h != nullptr && (op == AggOp::kSum || op == AggOp::kAvg)) {
        AddHistogram(g, *e.h);
        groups.push_back(std::move(g));
        continue;
      }
      g.has_float = true;
      g.value = v;
      g.mean = v;
      g.count = 1;
      switch (op) {
        case AggOp::kGroup:
          g.value = 1;
          break;
        case AggOp::kStddev:
        case AggOp::kStdvar:
          // Welford's first step from mean 0: a lone NaN gives NaN, as in Prometheus.
          g.value = v * (v - v);
          break;
        case AggOp::kQuantile:
          g.values.push_back(v);
          break;
        case AggOp::kTopk:
        case AggOp::kBottomk:
        case AggOp::kLimitk:
          g.elems.push_back(e);
          break;
        case AggOp::kLimitRatio: {
          double offset = static_cast<double>(LabelsHash(*e.labels)) /
                          static_cast<double>(std::numeric_limits<uint64_t>::max());
          if ((param >= 0 && offset < param) || (param < 0 && offset >= 1.0 + param)) {
            g.elems.push_back(e);
          }
          break;
        }
        default:
          break;
      }
      groups.push_back(std::move(g));
      continue;
    }
    Group& g = groups[it->second];
    if (op == AggOp::kSum || op == AggOp::kAvg) {
      if (e.h != nullptr) {
        AddHistogram(g, *e.h);
        continue;
      }
      g.has_float = true;
    }
    switch (op) {
      case AggOp::kSum:
        KahanSumInc(v, g.value, g.kahan_c);
        break;
      case AggOp::kAvg: {
        g.count++;
        if (!g.incremental_mean) {
          double nv = g.value, nc = g.kahan_c;
          KahanSumInc(v, nv, nc);
          if (!std::isinf(nv)) {
            g.value = nv;
            g.kahan_c = nc;
            break;
          }
          g.incremental_mean = true;
          g.mean = g.value / (g.count - 1);
          g.kahan_c /= g.count - 1;
        }
        if (std::isinf(g.mean)) {
          if (std::isinf(v) && (g.mean > 0) == (v > 0)) break;
          if (!std::isinf(v) && !std::isnan(v)) break;
        }
        double current = g.mean + g.kahan_c;
        KahanSumInc(v / g.count - current / g.count, g.mean, g.kahan_c);
        break;
      }
      case AggOp::kCount:
      case AggOp::kCountValues:
        g.count++;
        break;
      case AggOp::kGroup:
        break;
      case AggOp::kMax:
        if (g.value < v || std::isnan(g.value)) g.value = v;
        break;
      case AggOp::kMin:
        if (g.value > v || std::isnan(g.value)) g.value = v;
        break;
      case AggOp::kStddev:
      case AggOp::kStdvar: {
        g.count++;
        double delta = v - g.mean;
        g.mean += delta / g.count;
        g.value += delta * (v - g.mean);
        break;
      }
      case AggOp::kQuantile:
        g.values.push_back(v);
        break;
      case AggOp::kTopk:
      case AggOp::kBottomk: {
        auto less = op == AggOp::kTopk ? TopkLess : BottomkLess;
        // Min-heap of the best k by `less`: the root is the worst kept element.
        auto cmp = [&](const Elem& x, const Elem& y) { return less(y.v, x.v); };
        if (static_cast<int64_t>(g.elems.size()) < k) {
          g.elems.push_back(e);
          std::push_heap(g.elems.begin(), g.elems.end(), cmp);
        } else if (less(g.elems.front().v, v) ||
                   (std::isnan(g.elems.front().v) && !std::isnan(v))) {
          std::pop_heap(g.elems.begin(), g.elems.end(), cmp);
          g.elems.back() = e;
          std::push_heap(g.elems.begin(), g.elems.end(), cmp);
        }
        break;
      }
      case AggOp::kLimitk:
        if (static_cast<int64_t>(g.elems.size()) < k) g.elems.push_back(e);
        break;
      case AggOp::kLimitRatio: {
        double offset = static_cast<double>(LabelsHash(*e.labels)) /
                        static_cast<double>(std::numeric_limits<uint64_t>::max());
        if ((param >= 0 && offset < param) || (param < 0 && offset >= 1.0 + param)) {
          g.elems.push_back(e);
        }
        break;
      }
    }
  }
  // topk/bottomk keep their first element heap-ordered too.
  out.reserve(out.size() + groups.size());
  for (Group& g : groups) {
    if (g.has_histogram) {
      if (g.has_float || g.histogram_error) continue;
      if (op == AggOp::kAvg) g.histogram.Div(g.histogram_count);
      out.push_back(Elem{g.labels, 0, 0, g.drop_name, ev.StoreHistogram(std::move(g.histogram))});
      continue;
    }
    double v = g.value;
    switch (op) {
      case AggOp::kSum:
        v = g.value + g.kahan_c;
        break;
      case AggOp::kAvg:
        v = g.incremental_mean ? g.mean + g.kahan_c : (g.value + g.kahan_c) / g.count;
        break;
      case AggOp::kCount:
      case AggOp::kCountValues:
        v = g.count;
        break;
      case AggOp::kStdvar:
        v = g.value / g.count;
        break;
      case AggOp::kStddev:
        v = std::sqrt(g.value / g.count);
        break;
      case AggOp::kQuantile:
        v = Quantile(param, g.values);
        break;
      case AggOp::kTopk:
      case AggOp::kBottomk: {
        auto less = op == AggOp::kTopk ? TopkLess : BottomkLess;
        std::stable_sort(g.elems.begin(), g.elems.end(),
                         [&](const Elem& x, const Elem& y) { return less(y.v, x.v); });
        out.insert(out.end(), g.elems.begin(), g.elems.end());
        continue;
      }
      case AggOp::kLimitk:
      case AggOp::kLimitRatio:
        out.insert(out.end(), g.elems.begin(), g.elems.end());
        continue;
      default:
        break;
    }
    out.push_back(Elem{g.labels, v, 0, g.drop_name});
  }
  return true;
}

}  // namespace tocsin::promql
