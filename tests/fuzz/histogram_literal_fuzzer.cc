// Two native-histogram literals (first line, second line) through the parser and every
// operation the engine applies to histograms. Must never crash, leak or trip a sanitizer.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/core/float_histogram.h"
#include "agent/promql/eval.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t nl = in.find('\n');
  auto a = tocsin::ParseHistogramLiteral(in.substr(0, nl));
  if (!a.ok()) return 0;
  (void)tocsin::ParseHistogramLiteral(a->ToString());
  (void)tocsin::promql::NativeHistogramQuantile(0.5, *a);
  (void)tocsin::promql::NativeHistogramQuantile(0.01, *a);
  (void)tocsin::promql::NativeHistogramFraction(-1, 1, *a);
  if (nl == std::string_view::npos) return 0;
  auto b = tocsin::ParseHistogramLiteral(in.substr(nl + 1));
  if (!b.ok()) return 0;
  (void)a->DetectReset(*b);
  (void)a->ApproxEquals(*b, 1e-6);
  tocsin::FloatHistogram sum = *a;
  if (sum.Add(*b).ok()) (void)sum.Buckets();
  tocsin::FloatHistogram diff = *a;
  (void)diff.Sub(*b);
  diff.Div(0);
  return 0;
}
