// Binary operators: arithmetic, comparisons (filtering and `bool`), set operators, and vector
// matching with on/ignoring/group_left/group_right, with Prometheus's error messages.
#include <cmath>
#include <functional>
#include <unordered_map>
#include <unordered_set>

#include "agent/core/go_math.h"
#include "agent/promql/eval.h"

namespace tocsin::promql {
namespace {

bool DropsName(BinOp op) {
  switch (op) {
    case BinOp::kAdd:
    case BinOp::kSub:
    case BinOp::kMul:
    case BinOp::kDiv:
    case BinOp::kMod:
    case BinOp::kPow:
    case BinOp::kAtan2:
      return true;
    default:
      return false;
  }
}

// Returns the value and whether the element is kept (comparisons). %, ^ and atan2 are Go's
// math.Mod, Pow and Atan2, bit for bit, as in Prometheus's engine.
inline double Apply(BinOp op, double l, double r, bool& keep) {
  keep = true;
  switch (op) {
    case BinOp::kAdd:
      return l + r;
    case BinOp::kSub:
      return l - r;
    case BinOp::kMul:
      return l * r;
    case BinOp::kDiv:
      return l / r;
    case BinOp::kMod:
      return gomath::Mod(l, r);
    case BinOp::kPow:
      return gomath::Pow(l, r);
    case BinOp::kAtan2:
      return gomath::Atan2(l, r);
    case BinOp::kEql:
      keep = l == r;
      return l;
    case BinOp::kNeq:
      keep = l != r;
      return l;
    case BinOp::kGtr:
      keep = l > r;
      return l;
    case BinOp::kLss:
      keep = l < r;
      return l;
    case BinOp::kGte:
      keep = l >= r;
      return l;
    case BinOp::kLte:
      keep = l <= r;
      return l;
    default:
      keep = false;
      return 0;
  }
}

// Binary operators where a native histogram is involved, as Prometheus defines them:
// h + h, h - h, h * s, s * h, h / s give a histogram; h == h and h != h compare; every other
// combination is not defined and `keep` is false (the element is dropped, or 0 with `bool`).
// Histograms with incompatible bucket layouts are dropped as well.
double ApplyWithHistograms(Evaluator& ev, BinOp op, double l, const FloatHistogram* hl, double r,
                           const FloatHistogram* hr, const FloatHistogram*& h, bool& keep) {
  keep = true;
  h = nullptr;
  FloatHistogram res;
  if (hl != nullptr && hr != nullptr && (op == BinOp::kEql || op == BinOp::kNeq)) {
    bool equal = hl->ApproxEquals(*hr, 0);
    keep = op == BinOp::kEql ? equal : !equal;
    h = hl;
    return 0;
  }
  if (hl != nullptr && hr != nullptr && (op == BinOp::kAdd || op == BinOp::kSub)) {
    res = *hl;
    keep = (op == BinOp::kAdd ? res.Add(*hr) : res.Sub(*hr)).ok();
  } else if (hl != nullptr && hr == nullptr && (op == BinOp::kMul || op == BinOp::kDiv)) {
    res = *hl;
    op == BinOp::kMul ? res.Mul(r) : res.Div(r);
  } else if (hl == nullptr && hr != nullptr && op == BinOp::kMul) {
    res = *hr;
    res.Mul(l);
  } else {
    keep = false;
  }
  if (keep) {
    res.hint = FloatHistogram::CounterResetHint::kUnknown;
    h = ev.StoreHistogram(std::move(res));
  }
  return 0;
}

// Signature of the labels used for matching: `on` labels, or all but `ignoring` + __name__.
uint64_t Signature(const Labels& l, const VectorMatching& m) {
  uint64_t h = 0x9e3779b97f4a7c15ULL;
  std::hash<std::string_view> hs;
  auto mix = [&](std::string_view a, std::string_view b) {
    h ^= hs(a) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    h ^= hs(b) + 0x517cc1b727220a95ULL + (h << 6) + (h >> 2);
  };
  if (m.on) {
    // m.labels may be unsorted; iterate label set order for a canonical signature.
    for (const Label& p : l) {
      for (const std::string& n : m.labels) {
        if (n == p.name) {
          mix(p.name, p.value);
          break;
        }
      }
    }
  } else {
    for (const Label& p : l) {
      if (p.name == kMetricNameLabel) continue;
      bool ignored = false;
      for (const std::string& n : m.labels) ignored = ignored || n == p.name;
      if (!ignored) mix(p.name, p.value);
    }
  }
  return h;
}

Labels MatchLabels(const Labels& l, const VectorMatching& m) {
  LabelsBuilder b(l);
  if (m.on) {
    b.Keep(m.labels);
  } else {
    b.Del(kMetricNameLabel);
    for (const auto& n : m.labels) b.Del(n);
  }
  return b.Build();
}

bool VectorVector(Evaluator& ev, const BinaryExpr& be, Vec& lhs, Vec& rhs, Vec& out) {
  const VectorMatching& m = be.matching;
  if (IsSetOperator(be.op)) {
    switch (be.op) {
      case BinOp::kAnd: {
        if (lhs.empty() || rhs.empty()) return true;
        std::unordered_set<uint64_t> sigs;
        for (const Elem& e : rhs) sigs.insert(Signature(*e.labels, m));
        for (const Elem& e : lhs) {
          if (sigs.count(Signature(*e.labels, m))) out.push_back(e);
        }
        return true;
      }
      case BinOp::kOr: {
        std::unordered_set<uint64_t> sigs;
        for (const Elem& e : lhs) {
          sigs.insert(Signature(*e.labels, m));
          out.push_back(e);
        }
        for (const Elem& e : rhs) {
          if (!sigs.count(Signature(*e.labels, m))) out.push_back(e);
        }
        return true;
      }
      default: {  // unless
        std::unordered_set<uint64_t> sigs;
        for (const Elem& e : rhs) sigs.insert(Signature(*e.labels, m));
        for (const Elem& e : lhs) {
          if (!sigs.count(Signature(*e.labels, m))) out.push_back(e);
        }
        return true;
      }
    }
  }
  if (lhs.empty() || rhs.empty()) return true;
  bool swapped = m.card == Cardinality::kOneToMany;
  Vec& many = swapped ? rhs : lhs;
  Vec& one = swapped ? lhs : rhs;
  std::unordered_map<uint64_t, const Elem*> one_sigs;
  one_sigs.reserve(one.size());
  for (const Elem& e : one) {
    auto [it, inserted] = one_sigs.try_emplace(Signature(*e.labels, m), &e);
    if (!inserted) {
      Labels ml = MatchLabels(*e.labels, m);
      // Prometheus prints both series with Labels.String(): {__name__="m", ...}, not m{...}.
      return ev.Fail("found duplicate series for the match group " + ml.ToString() + " on the " +
                     (swapped ? "left" : "right") + " hand-side of the operation: [" +
                     e.labels->ToString() + ", " + it->second->labels->ToString() +
                     "];many-to-many matching not allowed: matching labels must be unique on one "
                     "side");
    }
  }
  std::unordered_map<uint64_t, std::unordered_set<uint64_t>> matched;
  auto& cache = ev.LabelCache(&be);
  const bool drops_name = DropsName(be.op);
  for (const Elem& ls : many) {
    uint64_t sig = Signature(*ls.labels, m);
    auto it = one_sigs.find(sig);
    if (it == one_sigs.end()) continue;
    const Elem& rs = *it->second;
    double fl = ls.v, fr = rs.v;
    const FloatHistogram *hl = ls.h, *hr = rs.h, *h = nullptr;
    if (swapped) {
      std::swap(fl, fr);
      std::swap(hl, hr);
    }
    bool keep;
    double v = hl != nullptr || hr != nullptr
                   ? ApplyWithHistograms(ev, be.op, fl, hl, fr, hr, h, keep)
                   : Apply(be.op, fl, fr, keep);
    if (be.return_bool) {
      v = keep ? 1 : 0;
      h = nullptr;
    } else if (!keep) {
      continue;
    }
    // Result labels: from the "many" side without __name__ for arithmetic, reduced by
    // on/ignoring for one-to-one, plus the group_x labels from the "one" side (so
    // group_left(__name__) brings the name back), without __name__ for `bool`. Cached per
    // (lhs, rhs) label-set pair.
    uint64_t key = reinterpret_cast<uintptr_t>(ls.labels) * 0x9e3779b97f4a7c15ULL ^
                   reinterpret_cast<uintptr_t>(rs.labels);
    const Labels* result;
    auto cit = cache.find(key);
    if (cit != cache.end()) {
      result = cit->second;
    } else {
      if (m.card == Cardinality::kOneToOne && m.labels.empty() && !m.on) {
        result = drops_name ? ev.WithoutName(ls.labels) : ls.labels;
      } else {
        LabelsBuilder b(*ls.labels);
        if (drops_name) b.Del(kMetricNameLabel);
        if (m.card == Cardinality::kOneToOne) {
          if (m.on) {
            b.Keep(m.labels);
          } else {
            for (const auto& n : m.labels) b.Del(n);
          }
        }
        for (const auto& n : m.include) b.Set(n, rs.labels->Get(n));
        result = ev.Intern(b.Build());
      }
      if (be.return_bool) result = ev.WithoutName(result);
      cache.emplace(key, result);
    }
    auto [mit, first] = matched.try_emplace(sig);
    if (m.card == Cardinality::kOneToOne) {
      if (!first) {
        return ev.Fail(
            "multiple matches for labels: many-to-one matching must be explicit "
            "(group_left/group_right)");
      }
    } else {
      if (!mit->second.insert(result->Hash()).second) {
        return ev.Fail("multiple matches for labels: grouping labels must ensure unique matches");
      }
    }
    out.push_back(Elem{result, v, ls.t, h});
  }
  // One-to-one results with equal labels have equal signatures, an error above already; with
  // group_x, different match groups can still give equal labels.
  return m.card == Cardinality::kOneToOne || ev.CheckDistinct(out);
}

}  // namespace

bool EvalBinaryValues(Evaluator& ev, const BinaryExpr& b, EvalValue& lhs, EvalValue& rhs,
                      EvalValue& out) {
  bool lscalar = lhs.type == ValueType::kScalar;
  bool rscalar = rhs.type == ValueType::kScalar;
  if (lscalar && rscalar) {
    out.type = ValueType::kScalar;
    bool keep;
    double v = Apply(b.op, lhs.scalar, rhs.scalar, keep);
    out.scalar = IsComparison(b.op) ? (keep ? 1 : 0) : v;
    return true;
  }
  out.type = ValueType::kVector;
  if (!lscalar && !rscalar) return VectorVector(ev, b, lhs.vec, rhs.vec, out.vec);
  bool swap = lscalar;  // scalar op vector
  Vec& vec = swap ? rhs.vec : lhs.vec;
  double s = swap ? lhs.scalar : rhs.scalar;
  bool comparison = IsComparison(b.op);
  bool drop = DropsName(b.op) || b.return_bool;
  bool dropped = false;
  out.vec.reserve(vec.size());
  for (Elem e : vec) {
    double l = e.v, r = s;
    if (swap) std::swap(l, r);
    bool keep;
    double v;
    if (e.h != nullptr) {
      const FloatHistogram* h = nullptr;
      v = swap ? ApplyWithHistograms(ev, b.op, l, nullptr, r, e.h, h, keep)
               : ApplyWithHistograms(ev, b.op, l, e.h, r, nullptr, h, keep);
      e.h = h;
    } else {
      v = Apply(b.op, l, r, keep);
      if (comparison && swap) v = e.v;  // the vector's value is kept on either side
    }
    if (b.return_bool) {
      v = keep ? 1 : 0;
      e.h = nullptr;
      keep = true;
    }
    if (!keep) continue;
    e.v = v;
    if (drop) {
      const Labels* named = e.labels;
      e.labels = ev.WithoutName(named);
      dropped = dropped || e.labels != named;
    }
    out.vec.push_back(e);
  }
  return !dropped || HasOneMetricName(swap ? *b.rhs : *b.lhs) || ev.CheckDistinct(out.vec);
}

}  // namespace tocsin::promql
