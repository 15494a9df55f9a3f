// Aggregation operators: sum avg count min max group stddev stdvar quantile topk bottomk
// count_values limitk limit_ratio, with by/without grouping.
#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "agent/core/go_format.h"
#include "agent/core/labels.h"
#include "agent/promql/eval.h"
#include "agent/promql/go_sort.h"

namespace tocsin::promql {
namespace {

struct Group {
  const Labels* labels = nullptr;
  double value = 0;
  double kahan_c = 0;
  double mean = 0;
  double count = 0;
  bool incremental_mean = false;
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

}  // namespace

struct Aggregator::Groups {
  std::vector<Group> groups;
  std::unordered_map<uint64_t, size_t> index;
};

namespace {

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

// limit_ratio's sampling: whether a series falls in the `ratio` share (from the start for a
// positive ratio, from the end for a negative one) of the label hash space.
bool InLimitRatio(const Labels& labels, double ratio) {
  double offset = static_cast<double>(LabelsHash(labels)) /
                  static_cast<double>(std::numeric_limits<uint64_t>::max());
  return (ratio >= 0 && offset < ratio) || (ratio < 0 && offset >= 1.0 + ratio);
}

// Less of Prometheus's vectorByValueHeap (topk's heap, quantile's sort) and
// vectorByReverseValueHeap (bottomk's heap): NaN is less than anything, NaN included. Go's heap
// and sort over these (go_sort.h) decide which of equal values topk keeps and where 0 and -0 land.
bool ValueHeapLess(double a, double b) { return std::isnan(a) || a < b; }
bool ReverseValueHeapLess(double a, double b) { return std::isnan(a) || a > b; }
bool ElemLess(const Elem& a, const Elem& b) { return ValueHeapLess(a.v, b.v); }
bool ElemReverseLess(const Elem& a, const Elem& b) { return ReverseValueHeapLess(a.v, b.v); }

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

double Quantile(double q, std::vector<double>& values) {
  if (values.empty() || std::isnan(q)) return std::numeric_limits<double>::quiet_NaN();
  if (q < 0) return -std::numeric_limits<double>::infinity();
  if (q > 1) return std::numeric_limits<double>::infinity();
  gosort::Sort(values, ValueHeapLess);
  double n = static_cast<double>(values.size());
  double rank = q * (n - 1);
  double lower = std::max(0.0, std::floor(rank));
  double upper = std::min(n - 1, lower + 1);
  double weight = rank - std::floor(rank);
  return values[static_cast<size_t>(lower)] * (1 - weight) +
         values[static_cast<size_t>(upper)] * weight;
}

Aggregator::Aggregator(Evaluator& ev, const AggregateExpr& a, double param, std::string sparam)
    : ev_(ev),
      a_(a),
      op_(a.op),
      param_(param),
      sparam_(std::move(sparam)),
      grouping_(a.grouping),
      groups_(std::make_unique<Groups>()) {}
Aggregator::~Aggregator() = default;

bool Aggregator::KeepsElems() const {
  return op_ == AggOp::kTopk || op_ == AggOp::kBottomk || op_ == AggOp::kLimitk ||
         op_ == AggOp::kLimitRatio;
}

bool Aggregator::Begin() {
  const AggOp op = op_;
  if (op == AggOp::kTopk || op == AggOp::kBottomk || op == AggOp::kLimitk) {
    if (!(param_ <= 9.2233720368547748e18 && param_ >= -9.2233720368547758e18)) {
      return ev_.Fail("Scalar value " + FormatGoFloatG(param_) + " overflows int64");
    }
    k_ = static_cast<int64_t>(param_);
    if (k_ < 1) no_result_ = true;
  }
  if (op == AggOp::kLimitRatio) {
    if (std::isnan(param_)) return ev_.Fail("Ratio value NaN is not a number");
    param_ = std::clamp(param_, -1.0, 1.0);
    if (param_ == 0) no_result_ = true;
  }
  if (op == AggOp::kCountValues) {
    // Each sample is rewritten with the value label, then counted.
    if (sparam_.empty() || !IsValidLabelName(sparam_)) {
      return ev_.Fail("invalid label name \"" + sparam_ + "\"");
    }
    if (!a_.without) grouping_.push_back(sparam_);
  }
  return true;
}

bool EvalAggregation(Evaluator& ev, const AggregateExpr& a, double param, const std::string& sparam,
                     Vec& in, Vec& out) {
  Aggregator agg(ev, a, param, sparam);
  if (!agg.Begin()) return false;
  for (const Elem& e : in) agg.Add(e);
  agg.Finish(out);
  return true;
}

void Aggregator::Add(const Elem& e) {
  if (no_result_) return;
  const AggOp op = op_;
  const AggregateExpr& a = a_;
  const std::vector<std::string>& grouping = grouping_;
  const double param = param_;
  const int64_t k = k_;
  std::vector<Group>& groups = groups_->groups;
  // Groups are keyed by a hash of their labels (as Prometheus does); the label set itself is
  // only built when a group is created.
  std::hash<std::string_view> hs;
  if (e.h != nullptr && !AcceptsHistograms(op)) return;
  const Labels* src = e.labels;
  if (op == AggOp::kCountValues) {
    LabelsBuilder b(*e.labels);
    b.Set(sparam_, FormatGoFloatF(e.v));
    src = ev_.InternShared(b.Build());
  }
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
  auto [it, inserted] = groups_->index.try_emplace(key, groups.size());
  double v = e.v;
  if (inserted) {
    const Labels* gl = ev_.InternShared(GroupLabels(*src, a, grouping));
    Group g;
    g.labels = gl;
    if (e.h != nullptr && (op == AggOp::kSum || op == AggOp::kAvg)) {
      AddHistogram(g, *e.h);
      groups.push_back(std::move(g));
      return;
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
        // Prometheus 3.0 starts the running variance at exactly 0 (v * (v - v) would be -0
        // for a negative v), or NaN when the first value is NaN or +-Inf.
        g.value = std::isnan(v) || std::isinf(v) ? std::numeric_limits<double>::quiet_NaN() : 0;
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
        if (InLimitRatio(*e.labels, param)) g.elems.push_back(e);
        break;
      }
      default:
        break;
    }
    groups.push_back(std::move(g));
    return;
  }
  Group& g = groups[it->second];
  if (op == AggOp::kSum || op == AggOp::kAvg) {
    if (e.h != nullptr) {
      AddHistogram(g, *e.h);
      return;
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
      // Prometheus's aggregationK: a heap of the best k with the worst kept one at the root,
      // which a better element overwrites in place.
      const bool top = op == AggOp::kTopk;
      auto less = top ? ElemLess : ElemReverseLess;
      const double root = g.elems.front().v;
      if (static_cast<int64_t>(g.elems.size()) < k) {
        gosort::HeapPush(g.elems, e, less);
      } else if ((top ? root < v : root > v) || (std::isnan(root) && !std::isnan(v))) {
        g.elems.front() = e;
        if (k > 1) gosort::HeapFix(g.elems, 0, less);
      }
      break;
    }
    case AggOp::kLimitk:
      if (static_cast<int64_t>(g.elems.size()) < k) g.elems.push_back(e);
      break;
    case AggOp::kLimitRatio: {
      if (InLimitRatio(*e.labels, param)) g.elems.push_back(e);
      break;
    }
  }
}

void Aggregator::Finish(Vec& out) {
  const AggOp op = op_;
  const double param = param_;
  Evaluator& ev = ev_;
  std::vector<Group>& groups = groups_->groups;
  // topk/bottomk keep their first element heap-ordered too.
  out.reserve(out.size() + groups.size());
  for (Group& g : groups) {
    if (g.has_histogram) {
      if (g.has_float || g.histogram_error) continue;
      if (op == AggOp::kAvg) g.histogram.Div(g.histogram_count);
      out.push_back(Elem{g.labels, 0, 0, ev.StoreHistogram(std::move(g.histogram))});
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
        // sort.Sort(sort.Reverse(heap)): best first.
        auto less = op == AggOp::kTopk ? ElemLess : ElemReverseLess;
        if (g.elems.size() > 1) {
          gosort::Sort(g.elems, [&](const Elem& x, const Elem& y) { return less(y, x); });
        }
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
    out.push_back(Elem{g.labels, v, 0});
  }
}

}  // namespace tocsin::promql
