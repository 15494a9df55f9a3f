// Functions over instant vectors and scalars: math, clamp, round, date/time, label_replace,
// label_join, sort*, histogram_quantile over classic buckets, absent, scalar, vector, time.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <unordered_map>

#include "agent/core/go_math.h"
#include "agent/core/go_time.h"
#include "agent/core/regex.h"
#include "agent/promql/eval.h"
#include "agent/promql/functions.h"
#include "agent/promql/go_sort.h"

namespace tocsin::promql {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// Go's math.Max / math.Min: ±Inf wins over NaN, NaN wins over numbers, +0 > -0.
double GoMax(double x, double y) {
  if (std::isinf(x) && x > 0) return x;
  if (std::isinf(y) && y > 0) return y;
  if (std::isnan(x) || std::isnan(y)) return kNaN;
  if (x == 0 && x == y) return std::signbit(x) ? y : x;
  return x > y ? x : y;
}
double GoMin(double x, double y) {
  if (std::isinf(x) && x < 0) return x;
  if (std::isinf(y) && y < 0) return y;
  if (std::isnan(x) || std::isnan(y)) return kNaN;
  if (x == 0 && x == y) return std::signbit(x) ? x : y;
  return x < y ? x : y;
}

// Natural order of facette/natsort: digit runs compare as numbers.
bool NatLess(std::string_view a, std::string_view b) {
  auto chunk = [](std::string_view s, size_t& i) {
    size_t start = i;
    bool digit = std::isdigit(static_cast<unsigned char>(s[i])) != 0;
    while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) != 0) == digit) ++i;
    return s.substr(start, i - start);
  };
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    std::string_view ca = chunk(a, i), cb = chunk(b, j);
    if (ca == cb) continue;
    bool da = std::isdigit(static_cast<unsigned char>(ca[0])) != 0;
    bool db = std::isdigit(static_cast<unsigned char>(cb[0])) != 0;
    if (da && db) {
      std::string_view ta = ca, tb = cb;
      while (ta.size() > 1 && ta[0] == '0') ta.remove_prefix(1);
      while (tb.size() > 1 && tb[0] == '0') tb.remove_prefix(1);
      if (ta.size() != tb.size()) return ta.size() < tb.size();
      if (ta != tb) return ta < tb;
      continue;
    }
    return ca < cb;
  }
  return a.size() - i < b.size() - j;
}

// Go's strconv.ParseFloat for a bucket bound; false when it is not a number.
bool ParseBound(std::string_view s, double& out) {
  if (s.empty() || s[0] == ' ' || s[0] == '\t' || s[0] == '\n') return false;
  std::string str(s);
  char* end = nullptr;
  out = std::strtod(str.c_str(), &end);
  return end == str.c_str() + str.size();
}

bool AlmostEqual(double a, double b, double eps) {
  constexpr double kMinNormal = 2.2250738585072014e-308;
  if (std::isnan(a) && std::isnan(b)) return true;
  if (a == b) return true;
  double abs_sum = std::fabs(a) + std::fabs(b);
  double diff = std::fabs(a - b);
  if (a == 0 || b == 0 || abs_sum < kMinNormal) return diff < eps * kMinNormal;
  return diff / std::min(abs_sum, std::numeric_limits<double>::max()) < eps;
}

struct Bucket {
  double upper;
  double count;
};

double BucketQuantile(double q, std::vector<Bucket>& b) {
  if (std::isnan(q)) return kNaN;
  if (q < 0) return -kInf;
  if (q > 1) return kInf;
  std::stable_sort(b.begin(), b.end(),
                   [](const Bucket& x, const Bucket& y) { return x.upper < y.upper; });
  if (!(std::isinf(b.back().upper) && b.back().upper > 0)) return kNaN;
  // Coalesce equal bounds.
  size_t n = 0;
  for (size_t i = 1; i < b.size(); ++i) {
    if (b[i].upper == b[n].upper) {
      b[n].count += b[i].count;
    } else {
      b[++n] = b[i];
    }
  }
  b.resize(n + 1);
  // Force monotonicity; ignore tiny floating-point deltas.
  double prev = b[0].count;
  for (size_t i = 1; i < b.size(); ++i) {
    double cur = b[i].count;
    if (cur == prev) continue;
    if (AlmostEqual(prev, cur, 1e-12) || cur < prev) {
      b[i].count = prev;
      continue;
    }
    prev = cur;
  }
  if (b.size() < 2) return kNaN;
  double observations = b.back().count;
  if (observations == 0) return kNaN;
  double rank = q * observations;
  size_t idx = 0;
  while (idx < b.size() - 1 && !(b[idx].count >= rank)) ++idx;
  if (idx == b.size() - 1) return b[b.size() - 2].upper;
  if (idx == 0 && b[0].upper <= 0) return b[0].upper;
  double start = 0, end = b[idx].upper, count = b[idx].count;
  if (idx > 0) {
    start = b[idx - 1].upper;
    count -= b[idx - 1].count;
    rank -= b[idx - 1].count;
  }
  return start + (end - start) * (rank / count);
}

// Prometheus: time.Unix(int64(v), 0).UTC() and its fields. NaN, ±Inf and out-of-range values
// convert to math.MinInt64 (year 292277026596), as amd64 Go converts them.
double DateValue(FuncId id, double v) {
  const GoCivilTime t = GoUnixUTC(gomath::Int64(v));
  switch (id) {
    case FuncId::kDayOfMonth:
      return t.day;
    case FuncId::kDayOfWeek:
      return t.weekday;
    case FuncId::kDayOfYear:
      return t.year_day;
    case FuncId::kHour:
      return t.hour;
    case FuncId::kMinute:
      return t.minute;
    case FuncId::kMonth:
      return t.month;
    case FuncId::kYear:
      return static_cast<double>(t.year);
    case FuncId::kDaysInMonth:
      return t.days_in_month;
    default:
      return kNaN;
  }
}

// Element-wise math as Prometheus computes it: Go's math package (agent/core/go_math.h), whose
// results differ from glibc's in the last bit here and there. abs, ceil, floor and sqrt are exact
// in both; deg and rad are Prometheus's v*180/Pi and v*Pi/180, in that order.
double MathValue(FuncId id, double v) {
  switch (id) {
    case FuncId::kAbs:
      return std::fabs(v);
    case FuncId::kCeil:
      return std::ceil(v);
    case FuncId::kFloor:
      return std::floor(v);
    case FuncId::kExp:
      return gomath::Exp(v);
    case FuncId::kSqrt:
      return std::sqrt(v);
    case FuncId::kLn:
      return gomath::Log(v);
    case FuncId::kLog2:
      return gomath::Log2(v);
    case FuncId::kLog10:
      return gomath::Log10(v);
    case FuncId::kSgn:
      return v < 0 ? -1 : v > 0 ? 1 : v;
    case FuncId::kAcos:
      return gomath::Acos(v);
    case FuncId::kAcosh:
      return gomath::Acosh(v);
    case FuncId::kAsin:
      return gomath::Asin(v);
    case FuncId::kAsinh:
      return gomath::Asinh(v);
    case FuncId::kAtan:
      return gomath::Atan(v);
    case FuncId::kAtanh:
      return gomath::Atanh(v);
    case FuncId::kCos:
      return gomath::Cos(v);
    case FuncId::kCosh:
      return gomath::Cosh(v);
    case FuncId::kSin:
      return gomath::Sin(v);
    case FuncId::kSinh:
      return gomath::Sinh(v);
    case FuncId::kTan:
      return gomath::Tan(v);
    case FuncId::kTanh:
      return gomath::Tanh(v);
    case FuncId::kDeg:
      return v * 180 / std::numbers::pi;
    case FuncId::kRad:
      return v * std::numbers::pi / 180;
    default:
      return DateValue(id, v);
  }
}

// label_replace and label_join fail on equal label sets at one step, as Prometheus 2.x and
// current Prometheus do (b336889d); 3.0 checked label_replace's whole result matrix, so series
// colliding only at different times failed too, and did not check label_join at all.
bool LabelReplace(Evaluator& ev, const Call& c, std::vector<EvalValue>& args, Vec& out) {
  const std::string& dst = args[1].str;
  const std::string& repl = args[2].str;
  const std::string& src = args[3].str;
  auto re = Regex::Compile(args[4].str);
  if (!re.ok()) {
    return ev.Fail("invalid regular expression in label_replace(): " + args[4].str);
  }
  if (!IsValidLabelName(dst)) {
    return ev.Fail("invalid destination label name in label_replace(): " + dst);
  }
  auto& cache = ev.LabelCache(&c);
  std::string expanded;
  bool changed = false;
  for (Elem e : args[0].vec) {
    auto key = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(e.labels));
    auto it = cache.find(key);
    const Labels* result = nullptr;  // nullptr in the cache: regex did not match
    if (it != cache.end()) {
      result = it->second;
    } else {
      if (re->ExpandFullMatch(e.labels->Get(src), repl, expanded)) {
        LabelsBuilder b(*e.labels);
        b.Set(dst, expanded);
        result = ev.Intern(b.Build());
      }
      cache.emplace(key, result);
    }
    if (result != nullptr) {
      e.labels = result;
      changed = true;
    }
    out.push_back(e);
  }
  return !changed || ev.CheckDistinct(out);
}

bool LabelJoin(Evaluator& ev, const Call& c, std::vector<EvalValue>& args, Vec& out) {
  const std::string& dst = args[1].str;
  const std::string& sep = args[2].str;
  if (!IsValidLabelName(dst)) {
    return ev.Fail("invalid destination label name in label_join(): " + dst);
  }
  std::vector<std::string> srcs;
  for (size_t i = 3; i < args.size(); ++i) {
    if (!IsValidLabelName(args[i].str)) {
      return ev.Fail("invalid source label name in label_join(): " + args[i].str);
    }
    srcs.push_back(args[i].str);
  }
  auto& cache = ev.LabelCache(&c);
  for (Elem e : args[0].vec) {
    auto key = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(e.labels));
    auto it = cache.find(key);
    if (it != cache.end()) {
      e.labels = it->second;
    } else {
      std::string joined;
      for (size_t i = 0; i < srcs.size(); ++i) {
        if (i > 0) joined += sep;
        joined += e.labels->Get(srcs[i]);
      }
      LabelsBuilder b(*e.labels);
      b.Set(dst, joined);
      const Labels* result = ev.Intern(b.Build());
      cache.emplace(key, result);
      e.labels = result;
    }
    out.push_back(e);
  }
  return ev.CheckDistinct(out);
}

bool HistogramQuantile(Evaluator& ev, double q, const Vec& in, TimestampMs ts, Vec& out) {
  struct Group {
    const Labels* labels;
    std::vector<Bucket> buckets;
  };
  std::vector<Group> groups;
  std::unordered_map<const Labels*, size_t> index;
  std::vector<const Elem*> native;
  for (const Elem& e : in) {
    if (e.h != nullptr) {
      native.push_back(&e);
      continue;
    }
    double upper;
    if (!ParseBound(e.labels->Get("le"), upper)) continue;
    LabelsBuilder b(*e.labels);
    b.Del("le");
    const Labels* key = ev.InternShared(b.Build());
    auto [it, inserted] = index.try_emplace(key, groups.size());
    if (inserted) groups.push_back(Group{key, {}});
    groups[it->second].buckets.push_back(Bucket{upper, e.v});
  }
  // A native histogram and classic buckets of the same series at one instant: neither is
  // evaluated (Prometheus: "vector contains a mix of classic and native histograms").
  std::vector<bool> mixed(groups.size(), false);
  for (const Elem* e : native) {
    auto it = index.find(ev.InternShared(*e->labels));
    if (it != index.end()) {
      mixed[it->second] = true;
      continue;
    }
    out.push_back(Elem{ev.WithoutName(e->labels), NativeHistogramQuantile(q, *e->h), ts});
  }
  // Buckets are grouped with their metric name, which the result then drops.
  for (size_t i = 0; i < groups.size(); ++i) {
    if (mixed[i]) continue;
    out.push_back(Elem{ev.WithoutName(groups[i].labels), BucketQuantile(q, groups[i].buckets), ts});
  }
  return ev.CheckDistinct(out);
}

}  // namespace

Labels AbsentLabels(const Expr& arg) {
  const VectorSelector* vs = nullptr;
  if (arg.kind == ExprKind::kVectorSelector) vs = static_cast<const VectorSelector*>(&arg);
  if (arg.kind == ExprKind::kMatrixSelector) vs = static_cast<const MatrixSelector&>(arg).vs.get();
  if (vs == nullptr) return Labels{};
  LabelsBuilder b;
  std::vector<std::string> has;
  for (const LabelMatcher& m : vs->matchers) {
    if (m.name() == kMetricNameLabel) continue;
    bool seen = std::find(has.begin(), has.end(), m.name()) != has.end();
    if (m.op() == MatchOp::kEqual && !seen) {
      b.Set(m.name(), m.value());
      has.push_back(m.name());
    } else {
      b.Del(m.name());
    }
  }
  return b.Build();
}

bool EvalInstantFunction(Evaluator& ev, const Call& c, std::vector<EvalValue>& args, TimestampMs ts,
                         EvalValue& out) {
  FuncId id = c.func->id;
  out.type = c.func->return_type;
  Vec& o = out.vec;
  switch (id) {
    case FuncId::kTime:
      out.scalar = static_cast<double>(ts) / 1000;
      return true;
    case FuncId::kPi:
      out.scalar = std::numbers::pi;
      return true;
    case FuncId::kScalar:
      out.scalar = args[0].vec.size() == 1 && args[0].vec[0].h == nullptr ? args[0].vec[0].v : kNaN;
      return true;
    case FuncId::kVector:
      o.push_back(Elem{ev.InternShared(Labels{}), args[0].scalar, ts});
      return true;
    case FuncId::kAbsent:
      if (args[0].vec.empty()) o.push_back(Elem{ev.Intern(AbsentLabels(*c.args[0])), 1, ts});
      return true;
    case FuncId::kLabelReplace:
      return LabelReplace(ev, c, args, o);
    case FuncId::kLabelJoin:
      return LabelJoin(ev, c, args, o);
    case FuncId::kHistogramQuantile:
      return HistogramQuantile(ev, args[0].scalar, args[1].vec, ts, o);
    case FuncId::kHistogramAvg:
    case FuncId::kHistogramCount:
    case FuncId::kHistogramSum:
    case FuncId::kHistogramStddev:
    case FuncId::kHistogramStdvar:
    case FuncId::kHistogramFraction:
      return EvalHistogramFunction(ev, id, args, ts, o);
    case FuncId::kSort:
    case FuncId::kSortDesc: {
      // Prometheus: sort.Sort(sort.Reverse(vectorByReverseValueHeap)) for sort, of
      // vectorByValueHeap for sort_desc (NaN last either way, histograms by their sum). Go's
      // unstable sort decides the order of equal values.
      o = std::move(args[0].vec);
      bool desc = id == FuncId::kSortDesc;
      auto value = [](const Elem& e) { return e.h != nullptr ? e.h->sum : e.v; };
      gosort::Sort(o, [desc, &value](const Elem& a, const Elem& b) {
        double va = value(a), vb = value(b);
        return std::isnan(vb) || (desc ? vb < va : vb > va);
      });
      return true;
    }
    case FuncId::kSortByLabel:
    case FuncId::kSortByLabelDesc: {
      o = std::move(args[0].vec);
      std::vector<std::string> names;
      for (size_t i = 1; i < args.size(); ++i) names.push_back(args[i].str);
      bool desc = id == FuncId::kSortByLabelDesc;
      std::stable_sort(o.begin(), o.end(), [&](const Elem& a, const Elem& b) {
        for (const auto& n : names) {
          std::string_view x = a.labels->Get(n), y = b.labels->Get(n);
          if (x == y) continue;
          return desc ? NatLess(y, x) : NatLess(x, y);
        }
        return desc ? *b.labels < *a.labels : *a.labels < *b.labels;
      });
      return true;
    }
    default:
      break;
  }
  // Element-wise functions.
  Vec in;
  if (args.empty()) {
    in.push_back(Elem{ev.InternShared(Labels{}), static_cast<double>(ts) / 1000, ts});
  } else {
    in = std::move(args[0].vec);
  }
  double lo = -kInf, hi = kInf, to_nearest = 1;
  if (id == FuncId::kClamp) {
    lo = args[1].scalar;
    hi = args[2].scalar;
    if (hi < lo) return true;
  }
  if (id == FuncId::kClampMin) lo = args[1].scalar;
  if (id == FuncId::kClampMax) hi = args[1].scalar;
  if (id == FuncId::kRound && args.size() > 1) to_nearest = args[1].scalar;
  bool timestamp_of_selector =
      id == FuncId::kTimestamp && Unparen(*c.args[0]).kind == ExprKind::kVectorSelector;
  o.reserve(in.size());
  bool dropped = false;
  for (Elem e : in) {
    // Element-wise math is defined on floats only; timestamp() reads any sample's time.
    if (e.h != nullptr) {
      if (id != FuncId::kTimestamp) continue;
      e.h = nullptr;
    }
    switch (id) {
      case FuncId::kClamp:
        e.v = GoMax(lo, GoMin(hi, e.v));
        break;
      case FuncId::kClampMin:
        e.v = GoMax(lo, e.v);
        break;
      case FuncId::kClampMax:
        e.v = GoMin(hi, e.v);
        break;
      case FuncId::kRound: {
        double inv = 1.0 / to_nearest;
        e.v = std::floor(e.v * inv + 0.5) / inv;
        break;
      }
      case FuncId::kTimestamp:
        e.v = static_cast<double>(timestamp_of_selector ? e.t : ts) / 1000;
        break;
      default:
        e.v = MathValue(id, e.v);
        break;
    }
    // Each of these drops the metric name (round too: Prometheus 3.0.x keeps it there by
    // mistake, fixed in 3.1, and 2.x drops it).
    const Labels* named = e.labels;
    e.labels = ev.WithoutName(named);
    dropped = dropped || e.labels != named;
    o.push_back(e);
  }
  return !dropped || (!c.args.empty() && HasOneMetricName(*c.args[0])) || ev.CheckDistinct(o);
}

}  // namespace tocsin::promql
