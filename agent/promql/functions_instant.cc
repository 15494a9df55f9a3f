// Functions over instant vectors and scalars: math, clamp, round, date/time, label_replace,
// label_join, sort*, histogram_quantile over classic buckets, absent, scalar, vector, time.
#include <algorithm>
#include <cmath>
#include <ctime>
#include <limits>
#include <numbers>
#include <unordered_map>

#include "agent/core/regex.h"
#include "agent/promql/eval.h"
#include "agent/promql/functions.h"

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

double DateValue(FuncId id, double v) {
  if (std::isnan(v) || std::isinf(v)) return kNaN;
  auto secs = static_cast<time_t>(v);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  switch (id) {
    case FuncId::kDayOfMonth:
      return tm.tm_mday;
    case FuncId::kDayOfWeek:
      return tm.tm_wday;
    case FuncId::kDayOfYear:
      return tm.tm_yday + 1;
    case FuncId::kHour:
      return tm.tm_hour;
    case FuncId::kMinute:
      return tm.tm_min;
    case FuncId::kMonth:
      return tm.tm_mon + 1;
    case FuncId::kYear:
      return tm.tm_year + 1900;
    case FuncId::kDaysInMonth: {
      static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
      int y = tm.tm_year + 1900;
      bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
      return tm.tm_mon == 1 && leap ? 29 : kDays[tm.tm_mon];
    }
    default:
      return kNaN;
  }
}

double MathValue(FuncId id, double v) {
  switch (id) {
    case FuncId::kAbs:
      return std::fabs(v);
    case FuncId::kCeil:
      return std::ceil(v);
    case FuncId::kFloor:
      return std::floor(v);
    case FuncId::kExp:
      return std::exp(v);
    case FuncId::kSqrt:
      return std::sqrt(v);
    case FuncId::kLn:
      return std::log(v);
    case FuncId::kLog2:
      return std::log2(v);
    case FuncId::kLog10:
      return std::log10(v);
    case FuncId::kSgn:
      return v < 0 ? -1 : v > 0 ? 1 : v;
    case FuncId::kAcos:
      return std::acos(v);
    case FuncId::kAcosh:
      return std::acosh(v);
    case FuncId::kAsin:
      return std::asin(v);
    case FuncId::kAsinh:
      return std::asinh(v);
    case FuncId::kAtan:
      return std::atan(v);
    case FuncId::kAtanh:
      return std::atanh(v);
    case FuncId::kCos:
      return std::cos(v);
    case FuncId::kCosh:
      return std::cosh(v);
    case FuncId::kSin:
      return std::sin(v);
    case FuncId::kSinh:
      return std::sinh(v);
    case FuncId::kTan:
      return std::tan(v);
    case FuncId::kTanh:
      return std::tanh(v);
    case FuncId::kDeg:
      return v * 180 / std::numbers::pi;
    case FuncId::kRad:
      return v * std::numbers::pi / 180;
    default:
      return DateValue(id, v);
  }
}

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
      if (dst == kMetricNameLabel) e.drop_name = false;
    }
    out.push_back(e);
  }
  return true;
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
    if (dst == kMetricNameLabel) e.drop_name = false;
    out.push_back(e);
  }
  return true;
}

void HistogramQuantile(Evaluator& ev, double q, const Vec& in, TimestampMs ts, Vec& out) {
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
    out.push_back(Elem{e->labels, NativeHistogramQuantile(q, *e->h), ts, true});
  }
  for (size_t i = 0; i < groups.size(); ++i) {
    if (mixed[i]) continue;
    out.push_back(Elem{groups[i].labels, BucketQuantile(q, groups[i].buckets), ts, true});
  }
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
      o.push_back(Elem{ev.InternShared(Labels{}), args[0].scalar, ts, false});
      return true;
    case FuncId::kAbsent:
      if (args[0].vec.empty()) o.push_back(Elem{ev.Intern(AbsentLabels(*c.args[0])), 1, ts, false});
      return true;
    case FuncId::kLabelReplace:
      return LabelReplace(ev, c, args, o);
    case FuncId::kLabelJoin:
      return LabelJoin(ev, c, args, o);
    case FuncId::kHistogramQuantile:
      HistogramQuantile(ev, args[0].scalar, args[1].vec, ts, o);
      return true;
    case FuncId::kHistogramAvg:
    case FuncId::kHistogramCount:
    case FuncId::kHistogramSum:
    case FuncId::kHistogramStddev:
    case FuncId::kHistogramStdvar:
    case FuncId::kHistogramFraction:
      return EvalHistogramFunction(ev, id, args, ts, o);
    case FuncId::kSort:
    case FuncId::kSortDesc: {
      o = std::move(args[0].vec);
      bool desc = id == FuncId::kSortDesc;
      std::stable_sort(o.begin(), o.end(), [desc](const Elem& a, const Elem& b) {
        if (std::isnan(a.v) || std::isnan(b.v)) return !std::isnan(a.v) && std::isnan(b.v);
        return desc ? a.v > b.v : a.v < b.v;
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
    in.push_back(Elem{ev.InternShared(Labels{}), static_cast<double>(ts) / 1000, ts, false});
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
    e.drop_name = true;
    o.push_back(e);
  }
  return true;
}

}  // namespace tocsin::promql
