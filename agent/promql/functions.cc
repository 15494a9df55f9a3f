#include "agent/promql/functions.h"

#include <array>

namespace tocsin::promql {
namespace {

constexpr ValueType S = ValueType::kScalar;
constexpr ValueType V = ValueType::kVector;
constexpr ValueType M = ValueType::kMatrix;
constexpr ValueType Str = ValueType::kString;

const std::vector<Function>& Table() {
  static const std::vector<Function> table = {
      {FuncId::kAbs, "abs", {V}, 1, 1, V, false},
      {FuncId::kAbsent, "absent", {V}, 1, 1, V, false},
      {FuncId::kAbsentOverTime, "absent_over_time", {M}, 1, 1, V, false},
      {FuncId::kAcos, "acos", {V}, 1, 1, V, false},
      {FuncId::kAcosh, "acosh", {V}, 1, 1, V, false},
      {FuncId::kAsin, "asin", {V}, 1, 1, V, false},
      {FuncId::kAsinh, "asinh", {V}, 1, 1, V, false},
      {FuncId::kAtan, "atan", {V}, 1, 1, V, false},
      {FuncId::kAtanh, "atanh", {V}, 1, 1, V, false},
      {FuncId::kAvgOverTime, "avg_over_time", {M}, 1, 1, V, false},
      {FuncId::kCeil, "ceil", {V}, 1, 1, V, false},
      {FuncId::kChanges, "changes", {M}, 1, 1, V, false},
      {FuncId::kClamp, "clamp", {V, S, S}, 3, 3, V, false},
      {FuncId::kClampMax, "clamp_max", {V, S}, 2, 2, V, false},
      {FuncId::kClampMin, "clamp_min", {V, S}, 2, 2, V, false},
      {FuncId::kCos, "cos", {V}, 1, 1, V, false},
      {FuncId::kCosh, "cosh", {V}, 1, 1, V, false},
      {FuncId::kCountOverTime, "count_over_time", {M}, 1, 1, V, false},
      {FuncId::kDaysInMonth, "days_in_month", {V}, 0, 1, V, false},
      {FuncId::kDayOfMonth, "day_of_month", {V}, 0, 1, V, false},
      {FuncId::kDayOfWeek, "day_of_week", {V}, 0, 1, V, false},
      {FuncId::kDayOfYear, "day_of_year", {V}, 0, 1, V, false},
      {FuncId::kDeg, "deg", {V}, 1, 1, V, false},
      {FuncId::kDelta, "delta", {M}, 1, 1, V, false},
      {FuncId::kDeriv, "deriv", {M}, 1, 1, V, false},
      {FuncId::kDoubleExponentialSmoothing,
       "double_exponential_smoothing",
       {M, S, S},
       3,
       3,
       V,
       false},
      {FuncId::kExp, "exp", {V}, 1, 1, V, false},
      {FuncId::kFloor, "floor", {V}, 1, 1, V, false},
      {FuncId::kHistogramAvg, "histogram_avg", {V}, 1, 1, V, false},
      {FuncId::kHistogramCount, "histogram_count", {V}, 1, 1, V, false},
      {FuncId::kHistogramFraction, "histogram_fraction", {S, S, V}, 3, 3, V, false},
      {FuncId::kHistogramQuantile, "histogram_quantile", {S, V}, 2, 2, V, false},
      {FuncId::kHistogramStddev, "histogram_stddev", {V}, 1, 1, V, false},
      {FuncId::kHistogramStdvar, "histogram_stdvar", {V}, 1, 1, V, false},
      {FuncId::kHistogramSum, "histogram_sum", {V}, 1, 1, V, false},
      {FuncId::kHour, "hour", {V}, 0, 1, V, false},
      {FuncId::kIdelta, "idelta", {M}, 1, 1, V, false},
      {FuncId::kIncrease, "increase", {M}, 1, 1, V, false},
      {FuncId::kIrate, "irate", {M}, 1, 1, V, false},
      {FuncId::kLabelJoin, "label_join", {V, Str, Str, Str}, 3, -1, V, true},
      {FuncId::kLabelReplace, "label_replace", {V, Str, Str, Str, Str}, 5, 5, V, true},
      {FuncId::kLastOverTime, "last_over_time", {M}, 1, 1, V, true},
      {FuncId::kLn, "ln", {V}, 1, 1, V, false},
      {FuncId::kLog10, "log10", {V}, 1, 1, V, false},
      {FuncId::kLog2, "log2", {V}, 1, 1, V, false},
      {FuncId::kMadOverTime, "mad_over_time", {M}, 1, 1, V, false},
      {FuncId::kMaxOverTime, "max_over_time", {M}, 1, 1, V, false},
      {FuncId::kMinOverTime, "min_over_time", {M}, 1, 1, V, false},
      {FuncId::kMinute, "minute", {V}, 0, 1, V, false},
      {FuncId::kMonth, "month", {V}, 0, 1, V, false},
      {FuncId::kPi, "pi", {}, 0, 0, S, false},
      {FuncId::kPredictLinear, "predict_linear", {M, S}, 2, 2, V, false},
      {FuncId::kPresentOverTime, "present_over_time", {M}, 1, 1, V, false},
      {FuncId::kQuantileOverTime, "quantile_over_time", {S, M}, 2, 2, V, false},
      {FuncId::kRad, "rad", {V}, 1, 1, V, false},
      {FuncId::kRate, "rate", {M}, 1, 1, V, false},
      {FuncId::kResets, "resets", {M}, 1, 1, V, false},
      {FuncId::kRound, "round", {V, S}, 1, 2, V, false},
      {FuncId::kScalar, "scalar", {V}, 1, 1, S, false},
      {FuncId::kSgn, "sgn", {V}, 1, 1, V, false},
      {FuncId::kSin, "sin", {V}, 1, 1, V, false},
      {FuncId::kSinh, "sinh", {V}, 1, 1, V, false},
      {FuncId::kSort, "sort", {V}, 1, 1, V, true},
      {FuncId::kSortByLabel, "sort_by_label", {V, Str}, 1, -1, V, true},
      {FuncId::kSortByLabelDesc, "sort_by_label_desc", {V, Str}, 1, -1, V, true},
      {FuncId::kSortDesc, "sort_desc", {V}, 1, 1, V, true},
      {FuncId::kSqrt, "sqrt", {V}, 1, 1, V, false},
      {FuncId::kStddevOverTime, "stddev_over_time", {M}, 1, 1, V, false},
      {FuncId::kStdvarOverTime, "stdvar_over_time", {M}, 1, 1, V, false},
      {FuncId::kSumOverTime, "sum_over_time", {M}, 1, 1, V, false},
      {FuncId::kTan, "tan", {V}, 1, 1, V, false},
      {FuncId::kTanh, "tanh", {V}, 1, 1, V, false},
      {FuncId::kTime, "time", {}, 0, 0, S, false},
      {FuncId::kTimestamp, "timestamp", {V}, 1, 1, V, false},
      {FuncId::kVector, "vector", {S}, 1, 1, V, false},
      {FuncId::kYear, "year", {V}, 0, 1, V, false},
  };
  return table;
}

}  // namespace

const Function* LookupFunction(std::string_view name) {
  for (const Function& f : Table()) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

}  // namespace tocsin::promql
