#include "agent/core/float_histogram.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "agent/core/go_format.h"

namespace tocsin {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Upper bound of exponential bucket `index` at `schema`: 2^(index·2^-schema).
double ExponentialBound(int32_t index, int32_t schema) {
  if (schema <= 0) return std::ldexp(1.0, index * (1 << -schema));
  return std::exp2(static_cast<double>(index) / static_cast<double>(1 << schema));
}

// Merges buckets so that the layout matches `target` (< schema): bucket i goes to
// ((i - 1) >> delta) + 1, as Prometheus reduces resolution.
void ReduceSide(int32_t& offset, std::vector<double>& buckets, int32_t delta) {
  if (buckets.empty() || delta <= 0) return;
  int32_t first = ((offset - 1) >> delta) + 1;
  int32_t last = ((offset + static_cast<int32_t>(buckets.size()) - 2) >> delta) + 1;
  std::vector<double> out(static_cast<size_t>(last - first + 1), 0.0);
  for (size_t k = 0; k < buckets.size(); ++k) {
    int32_t idx = offset + static_cast<int32_t>(k);
    out[static_cast<size_t>((((idx - 1) >> delta) + 1) - first)] += buckets[k];
  }
  offset = first;
  buckets = std::move(out);
}

void ReduceTo(FloatHistogram& h, int32_t schema) {
  if (h.UsesCustomBuckets() || schema >= h.schema) return;
  int32_t delta = h.schema - schema;
  ReduceSide(h.positive_offset, h.positive, delta);
  ReduceSide(h.negative_offset, h.negative, delta);
  h.schema = schema;
}

// dst[offset..] += sign·src[src_offset..], growing dst as needed.
void AddSide(int32_t& offset, std::vector<double>& dst, int32_t src_offset,
             const std::vector<double>& src, double sign) {
  if (src.empty()) return;
  if (dst.empty()) {
    offset = src_offset;
    dst.assign(src.size(), 0.0);
  }
  int32_t lo = std::min(offset, src_offset);
  int32_t hi = std::max(offset + static_cast<int32_t>(dst.size()),
                        src_offset + static_cast<int32_t>(src.size()));
  if (lo != offset || hi != offset + static_cast<int32_t>(dst.size())) {
    std::vector<double> grown(static_cast<size_t>(hi - lo), 0.0);
    std::copy(dst.begin(), dst.end(), grown.begin() + (offset - lo));
    dst = std::move(grown);
    offset = lo;
  }
  for (size_t k = 0; k < src.size(); ++k) {
    dst[static_cast<size_t>(src_offset - offset) + k] += sign * src[k];
  }
}

double At(int32_t offset, const std::vector<double>& b, int32_t idx) {
  if (idx < offset || idx >= offset + static_cast<int32_t>(b.size())) return 0;
  return b[static_cast<size_t>(idx - offset)];
}

bool SideWentDown(int32_t cur_offset, const std::vector<double>& cur, int32_t prev_offset,
                  const std::vector<double>& prev) {
  for (size_t k = 0; k < prev.size(); ++k) {
    int32_t idx = prev_offset + static_cast<int32_t>(k);
    if (At(cur_offset, cur, idx) < prev[k]) return true;
  }
  return false;
}

bool AlmostEqual(double a, double b, double eps) {
  if (std::isnan(a) && std::isnan(b)) return true;
  if (a == b) return true;
  double diff = std::fabs(a - b);
  if (a == 0 || b == 0) return diff < std::numeric_limits<double>::min() * eps;
  return diff / std::min(std::fabs(a) + std::fabs(b), std::numeric_limits<double>::max()) < eps;
}

bool SideApproxEquals(int32_t ao, const std::vector<double>& a, int32_t bo,
                      const std::vector<double>& b, double eps) {
  int32_t lo = std::min(ao, bo);
  int32_t hi = std::max(ao + static_cast<int32_t>(a.size()), bo + static_cast<int32_t>(b.size()));
  for (int32_t i = lo; i < hi; ++i) {
    if (!AlmostEqual(At(ao, a, i), At(bo, b, i), eps)) return false;
  }
  return true;
}

void AppendList(std::string& out, const std::vector<double>& values) {
  out += '[';
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ' ';
    out += FormatGoFloatG(values[i]);
  }
  out += ']';
}

}  // namespace

Status FloatHistogram::Add(const FloatHistogram& o) {
  if (UsesCustomBuckets() != o.UsesCustomBuckets()) {
    return InvalidArgument("cannot combine exponential and custom-bucket native histograms");
  }
  if (UsesCustomBuckets() && custom_values != o.custom_values) {
    return InvalidArgument("native histograms with incompatible custom bucket bounds");
  }
  if (zero_threshold != o.zero_threshold) {
    return InvalidArgument("native histograms with different zero thresholds");
  }
  const FloatHistogram* other = &o;
  FloatHistogram reduced;
  if (o.schema > schema) {
    reduced = o;
    ReduceTo(reduced, schema);
    other = &reduced;
  } else {
    ReduceTo(*this, o.schema);
  }
  count += other->count;
  sum += other->sum;
  zero_count += other->zero_count;
  AddSide(positive_offset, positive, other->positive_offset, other->positive, 1);
  AddSide(negative_offset, negative, other->negative_offset, other->negative, 1);
  return Status::Ok();
}

Status FloatHistogram::Sub(const FloatHistogram& o) {
  FloatHistogram negated = o;
  negated.Mul(-1);
  return Add(negated);
}

void FloatHistogram::Mul(double factor) {
  count *= factor;
  sum *= factor;
  zero_count *= factor;
  for (double& b : positive) b *= factor;
  for (double& b : negative) b *= factor;
}

void FloatHistogram::Div(double divisor) {
  count /= divisor;
  sum /= divisor;
  zero_count /= divisor;
  for (double& b : positive) b /= divisor;
  for (double& b : negative) b /= divisor;
}

bool FloatHistogram::DetectReset(const FloatHistogram& previous) const {
  if (hint == CounterResetHint::kCounterReset) return true;
  if (hint == CounterResetHint::kNotCounterReset) return false;
  if (count < previous.count) return true;
  if (UsesCustomBuckets() != previous.UsesCustomBuckets()) return true;
  if (UsesCustomBuckets() && custom_values != previous.custom_values) return true;
  if (schema > previous.schema) return true;
  // A different zero threshold moves observations between the zero bucket and the others;
  // treat it as the layout change it is.
  if (zero_threshold != previous.zero_threshold) return true;
  if (zero_count < previous.zero_count) return true;
  FloatHistogram prev = previous;
  ReduceTo(prev, schema);
  return SideWentDown(positive_offset, positive, prev.positive_offset, prev.positive) ||
         SideWentDown(negative_offset, negative, prev.negative_offset, prev.negative);
}

std::vector<FloatHistogram::Bucket> FloatHistogram::Buckets() const {
  std::vector<Bucket> out;
  if (UsesCustomBuckets()) {
    auto bound = [this](int32_t idx) {
      if (idx < 0) return -kInf;
      if (idx >= static_cast<int32_t>(custom_values.size())) return kInf;
      return custom_values[static_cast<size_t>(idx)];
    };
    for (size_t k = 0; k < positive.size(); ++k) {
      int32_t idx = positive_offset + static_cast<int32_t>(k);
      out.push_back({bound(idx - 1), bound(idx), positive[k], idx == 0, true});
    }
    return out;
  }
  for (size_t k = negative.size(); k-- > 0;) {
    int32_t idx = negative_offset + static_cast<int32_t>(k);
    out.push_back({-ExponentialBound(idx, schema), -ExponentialBound(idx - 1, schema), negative[k],
                   true, false});
  }
  if (zero_count != 0 || zero_threshold != 0) {
    out.push_back({-zero_threshold, zero_threshold, zero_count, true, true, true});
  }
  for (size_t k = 0; k < positive.size(); ++k) {
    int32_t idx = positive_offset + static_cast<int32_t>(k);
    out.push_back({ExponentialBound(idx - 1, schema), ExponentialBound(idx, schema), positive[k]});
  }
  return out;
}

bool FloatHistogram::ApproxEquals(const FloatHistogram& o, double epsilon) const {
  return schema == o.schema && zero_threshold == o.zero_threshold &&
         custom_values == o.custom_values && AlmostEqual(count, o.count, epsilon) &&
         AlmostEqual(sum, o.sum, epsilon) && AlmostEqual(zero_count, o.zero_count, epsilon) &&
         SideApproxEquals(positive_offset, positive, o.positive_offset, o.positive, epsilon) &&
         SideApproxEquals(negative_offset, negative, o.negative_offset, o.negative, epsilon);
}

std::string FloatHistogram::ToString() const {
  std::string out = "{{";
  out += "schema:" + std::to_string(schema);
  out += " count:" + FormatGoFloatG(count);
  out += " sum:" + FormatGoFloatG(sum);
  if (zero_threshold != 0) out += " z_bucket_w:" + FormatGoFloatG(zero_threshold);
  if (zero_count != 0) out += " z_bucket:" + FormatGoFloatG(zero_count);
  if (UsesCustomBuckets()) {
    out += " custom_values:";
    AppendList(out, custom_values);
  }
  if (!positive.empty()) {
    if (positive_offset != 0) out += " offset:" + std::to_string(positive_offset);
    out += " buckets:";
    AppendList(out, positive);
  }
  if (!negative.empty()) {
    if (negative_offset != 0) out += " n_offset:" + std::to_string(negative_offset);
    out += " n_buckets:";
    AppendList(out, negative);
  }
  switch (hint) {
    case CounterResetHint::kUnknown:
      break;
    case CounterResetHint::kCounterReset:
      out += " counter_reset_hint:reset";
      break;
    case CounterResetHint::kNotCounterReset:
      out += " counter_reset_hint:not_reset";
      break;
    case CounterResetHint::kGauge:
      out += " counter_reset_hint:gauge";
      break;
  }
  out += "}}";
  return out;
}

Result<FloatHistogram> ParseHistogramLiteral(std::string_view text) {
  auto fail = [&text](std::string why) -> Status {
    return InvalidArgument("invalid histogram literal \"" + std::string(text) + "\": " + why);
  };
  if (!text.starts_with("{{") || !text.ends_with("}}")) return fail("want {{...}}");
  std::string_view body = text.substr(2, text.size() - 4);
  auto number = [](std::string_view s, double& out) {
    std::string tmp(s);
    if (tmp == "Inf" || tmp == "+Inf" || tmp == "inf" || tmp == "+inf") {
      out = kInf;
      return true;
    }
    if (tmp == "-Inf" || tmp == "-inf") {
      out = -kInf;
      return true;
    }
    char* end = nullptr;
    out = std::strtod(tmp.c_str(), &end);
    return !tmp.empty() && end == tmp.c_str() + tmp.size();
  };
  FloatHistogram h;
  bool has_count = false;
  size_t i = 0;
  auto skip_space = [&] {
    while (i < body.size() && (body[i] == ' ' || body[i] == '\t')) ++i;
  };
  for (skip_space(); i < body.size(); skip_space()) {
    size_t colon = body.find(':', i);
    if (colon == std::string_view::npos) return fail("expected key:value");
    std::string key(body.substr(i, colon - i));
    i = colon + 1;
    std::vector<double> list;
    std::string_view scalar;
    bool is_list = i < body.size() && body[i] == '[';
    if (is_list) {
      size_t close = body.find(']', i);
      if (close == std::string_view::npos) return fail("unterminated [");
      std::string_view items = body.substr(i + 1, close - i - 1);
      size_t p = 0;
      while (p < items.size()) {
        while (p < items.size() && items[p] == ' ') ++p;
        size_t e = items.find(' ', p);
        if (e == std::string_view::npos) e = items.size();
        if (e > p) {
          double v;
          if (!number(items.substr(p, e - p), v)) return fail("bad number in " + key);
          list.push_back(v);
        }
        p = e;
      }
      i = close + 1;
    } else {
      size_t e = body.find_first_of(" \t", i);
      if (e == std::string_view::npos) e = body.size();
      scalar = body.substr(i, e - i);
      i = e;
    }
    double v = 0;
    auto want_number = [&]() { return !is_list && number(scalar, v); };
    // Schema and offsets: integers well inside int32 (bigger ones are rejected below anyway).
    auto want_int = [&]() { return want_number() && v == std::floor(v) && std::fabs(v) < 1e9; };
    if (key == "schema") {
      if (!want_int()) return fail("bad schema");
      h.schema = static_cast<int32_t>(v);
    } else if (key == "sum") {
      if (!want_number()) return fail("bad sum");
      h.sum = v;
    } else if (key == "count") {
      if (!want_number()) return fail("bad count");
      h.count = v;
      has_count = true;
    } else if (key == "z_bucket") {
      if (!want_number()) return fail("bad z_bucket");
      h.zero_count = v;
    } else if (key == "z_bucket_w") {
      if (!want_number()) return fail("bad z_bucket_w");
      h.zero_threshold = v;
    } else if (key == "offset") {
      if (!want_int()) return fail("bad offset");
      h.positive_offset = static_cast<int32_t>(v);
    } else if (key == "n_offset") {
      if (!want_int()) return fail("bad n_offset");
      h.negative_offset = static_cast<int32_t>(v);
    } else if (key == "buckets" && is_list) {
      h.positive = std::move(list);
    } else if (key == "n_buckets" && is_list) {
      h.negative = std::move(list);
    } else if (key == "custom_values" && is_list) {
      h.custom_values = std::move(list);
    } else if (key == "counter_reset_hint" && !is_list) {
      if (scalar == "unknown") {
        h.hint = FloatHistogram::CounterResetHint::kUnknown;
      } else if (scalar == "reset") {
        h.hint = FloatHistogram::CounterResetHint::kCounterReset;
      } else if (scalar == "not_reset") {
        h.hint = FloatHistogram::CounterResetHint::kNotCounterReset;
      } else if (scalar == "gauge") {
        h.hint = FloatHistogram::CounterResetHint::kGauge;
      } else {
        return fail("bad counter_reset_hint");
      }
    } else {
      return fail("unknown or malformed key \"" + key + "\"");
    }
  }
  if (h.schema != FloatHistogram::kCustomBucketsSchema && (h.schema < -4 || h.schema > 8)) {
    return fail("schema must be -4..8 or -53");
  }
  if (!h.UsesCustomBuckets() && !h.custom_values.empty()) {
    return fail("custom_values need schema -53");
  }
  if (h.UsesCustomBuckets()) {
    for (size_t i = 0; i < h.custom_values.size(); ++i) {
      if (!std::isfinite(h.custom_values[i]) ||
          (i > 0 && h.custom_values[i] <= h.custom_values[i - 1])) {
        return fail("custom_values must be finite and strictly ascending");
      }
    }
    if (h.positive_offset < 0 || !h.negative.empty() || h.zero_count != 0 ||
        h.positive_offset + h.positive.size() > h.custom_values.size() + 1) {
      return fail("custom-bucket histograms have one bucket per bound plus +Inf, nothing else");
    }
  }
  // Exponential bucket indices beyond this overflow float64 at any schema.
  constexpr int64_t kMaxIndex = int64_t{1100} << 8;
  for (auto [offset, size] : {std::pair{h.positive_offset, h.positive.size()},
                              std::pair{h.negative_offset, h.negative.size()}}) {
    if (offset < -kMaxIndex || offset + static_cast<int64_t>(size) > kMaxIndex) {
      return fail("bucket index out of range");
    }
  }
  if (!has_count) {
    h.count = h.zero_count;
    for (double b : h.positive) h.count += b;
    for (double b : h.negative) h.count += b;
  }
  return h;
}

}  // namespace tocsin
