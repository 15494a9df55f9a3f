// FloatHistogram: one native-histogram sample, with Prometheus's semantics
// (model/histogram.FloatHistogram), stored with dense bucket arrays instead of spans.
//
// Two layouts: exponential schemas (-4..8; bucket i of a sign covers (2^((i-1)·2^-s),
// 2^(i·2^-s)], plus a zero bucket [-zero_threshold, zero_threshold]) and custom buckets
// (schema -53, "NHCB": bucket i covers (custom_values[i-1], custom_values[i]], with -Inf and +Inf
// as the outer ends). Arithmetic is supported where bucket layouts agree: custom buckets with
// equal bounds, or exponential histograms with equal schema and zero threshold; anything else
// returns an error rather than a wrong answer.
//
// A plain value type: copyable, no shared state; not synchronised.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "agent/core/status.h"

namespace tocsin {

struct FloatHistogram {
  static constexpr int32_t kCustomBucketsSchema = -53;
  enum class CounterResetHint : uint8_t { kUnknown, kCounterReset, kNotCounterReset, kGauge };

  int32_t schema = 0;
  CounterResetHint hint = CounterResetHint::kUnknown;
  double zero_threshold = 0;
  double zero_count = 0;
  double count = 0;
  double sum = 0;
  // positive[k] is the bucket with index positive_offset + k (likewise negative).
  int32_t positive_offset = 0;
  std::vector<double> positive;
  int32_t negative_offset = 0;
  std::vector<double> negative;
  std::vector<double> custom_values;  // schema -53 only; ascending, without +Inf

  bool UsesCustomBuckets() const { return schema == kCustomBucketsSchema; }

  // this += o, this -= o (bucket by bucket). Errors leave *this unspecified.
  Status Add(const FloatHistogram& o);
  Status Sub(const FloatHistogram& o);
  // Scales count, sum and every bucket (Prometheus's Mul / Div).
  void Mul(double factor);
  void Div(double divisor);

  // True when `*this` cannot be the continuation of `previous` as a counter: an explicit
  // reset hint, fewer observations, a changed layout, or any bucket that went down.
  bool DetectReset(const FloatHistogram& previous) const;

  struct Bucket {
    double lower;
    double upper;
    double count;
    // As Prometheus's Bucket: positive buckets are (lower, upper], negative ones [lower, upper),
    // the zero bucket [lower, upper]; custom buckets (lower, upper], the first [-Inf, upper].
    bool lower_inclusive = false;
    bool upper_inclusive = true;
    bool zero_bucket = false;
  };
  // Every bucket with its bounds, from the lowest bound to the highest (negative buckets, the
  // zero bucket, positive buckets). Empty buckets are included; the zero bucket is listed
  // when its count or threshold is non-zero.
  std::vector<Bucket> Buckets() const;

  // Same schema, zero threshold and custom bounds, and equal count, sum, zero count and
  // non-empty buckets within a relative tolerance (NaN equals NaN).
  bool ApproxEquals(const FloatHistogram& o, double epsilon) const;

  // Prometheus's test notation: {{schema:-53 count:4 sum:1 custom_values:[0.1] buckets:[1 3]}}.
  std::string ToString() const;
};

// Parses the test notation ToString writes (the promqltest/promtool literal): keys schema,
// sum, count, z_bucket, z_bucket_w, buckets, offset, n_buckets, n_offset, custom_values,
// counter_reset_hint (unknown|reset|not_reset|gauge), separated by spaces, inside {{ }}.
Result<FloatHistogram> ParseHistogramLiteral(std::string_view text);

}  // namespace tocsin
