// The PromQL function table: names, argument types, return type and identity for dispatch.
//
// The table is a static, immutable array; lookups are thread-safe.
#pragma once

#include <string_view>
#include <vector>

#include "agent/promql/engine.h"

namespace tocsin::promql {

enum class FuncId {
  kAbs,
  kAbsent,
  kAbsentOverTime,
  kAcos,
  kAcosh,
  kAsin,
  kAsinh,
  kAtan,
  kAtanh,
  kAvgOverTime,
  kCeil,
  kChanges,
  kClamp,
  kClampMax,
  kClampMin,
  kCos,
  kCosh,
  kCountOverTime,
  kDaysInMonth,
  kDayOfMonth,
  kDayOfWeek,
  kDayOfYear,
  kDeg,
  kDelta,
  kDeriv,
  kDoubleExponentialSmoothing,
  kExp,
  kFloor,
  kHistogramAvg,
  kHistogramCount,
  kHistogramFraction,
  kHistogramQuantile,
  kHistogramStddev,
  kHistogramStdvar,
  kHistogramSum,
  kHour,
  kIdelta,
  kIncrease,
  kIrate,
  kLabelJoin,
  kLabelReplace,
  kLastOverTime,
  kLn,
  kLog10,
  kLog2,
  kMadOverTime,
  kMaxOverTime,
  kMinOverTime,
  kMinute,
  kMonth,
  kPi,
  kPredictLinear,
  kPresentOverTime,
  kQuantileOverTime,
  kRad,
  kRate,
  kResets,
  kRound,
  kScalar,
  kSgn,
  kSin,
  kSinh,
  kSort,
  kSortByLabel,
  kSortByLabelDesc,
  kSortDesc,
  kSqrt,
  kStddevOverTime,
  kStdvarOverTime,
  kSumOverTime,
  kTan,
  kTanh,
  kTime,
  kTimestamp,
  kVector,
  kYear,
};

struct Function {
  FuncId id;
  std::string_view name;
  std::vector<ValueType> arg_types;  // the last one repeats for variadic functions
  int min_args;
  int max_args;  // -1: unbounded
  ValueType return_type;
  bool keeps_name;  // the result keeps the input's metric name (last_over_time, sort, label_*)
};

// nullptr when unknown.
const Function* LookupFunction(std::string_view name);

}  // namespace tocsin::promql
