#include "agent/core/float_histogram.h"

#include <gtest/gtest.h>

#include <cmath>

namespace tocsin {
namespace {

FloatHistogram Lit(std::string_view text) {
  auto h = ParseHistogramLiteral(text);
  EXPECT_TRUE(h.ok()) << h.status().message();
  return h.ok() ? *h : FloatHistogram{};
}

TEST(FloatHistogramTest, ParsesAndPrintsTheTestNotation) {
  FloatHistogram h =
      Lit("{{schema:-53 sum:9 count:5 custom_values:[0.1 1] buckets:[2 0 3] "
          "counter_reset_hint:gauge}}");
  EXPECT_TRUE(h.UsesCustomBuckets());
  EXPECT_EQ(h.count, 5);
  EXPECT_EQ(h.sum, 9);
  EXPECT_EQ(h.custom_values, (std::vector<double>{0.1, 1}));
  EXPECT_EQ(h.positive, (std::vector<double>{2, 0, 3}));
  EXPECT_EQ(h.hint, FloatHistogram::CounterResetHint::kGauge);
  EXPECT_EQ(h.ToString(),
            "{{schema:-53 count:5 sum:9 custom_values:[0.1 1] buckets:[2 0 3] "
            "counter_reset_hint:gauge}}");
  EXPECT_TRUE(Lit(h.ToString()).ApproxEquals(h, 0));
  // Count defaults to the sum of the buckets.
  EXPECT_EQ(Lit("{{schema:0 z_bucket:1 buckets:[1 2] n_buckets:[3]}}").count, 7);
}

TEST(FloatHistogramTest, RejectsMalformedLiterals) {
  for (std::string_view bad :
       {"{schema:0}", "{{schema:9}}", "{{schema:0 sum:x}}", "{{schema:0 buckets:[1 2}}",
        "{{schema:0 frob:1}}", "{{schema:0 custom_values:[1]}}",
        "{{schema:0 counter_reset_hint:x}}", "{{schema:0 sum}}",
        "{{schema:0 offset:1e300 buckets:[1]}}", "{{schema:0 offset:1.5}}",
        "{{schema:0 n_offset:300000 n_buckets:[1]}}", "{{schema:-53 custom_values:[2 1]}}",
        "{{schema:-53 custom_values:[1] buckets:[1 2 3]}}", "{{schema:-53 custom_values:[Inf]}}"}) {
    auto h = ParseHistogramLiteral(bad);
    ASSERT_FALSE(h.ok()) << bad;
    EXPECT_NE(h.status().message().find(bad), std::string::npos) << h.status().message();
  }
}

TEST(FloatHistogramTest, AddAndSubAlignBucketOffsets) {
  FloatHistogram a = Lit("{{schema:0 count:3 sum:3 offset:1 buckets:[1 2]}}");
  FloatHistogram b = Lit("{{schema:0 count:4 sum:1 offset:-1 buckets:[4]}}");
  ASSERT_TRUE(a.Add(b).ok());
  EXPECT_TRUE(a.ApproxEquals(Lit("{{schema:0 count:7 sum:4 offset:-1 buckets:[4 0 1 2]}}"), 0))
      << a.ToString();
  ASSERT_TRUE(a.Sub(b).ok());
  EXPECT_TRUE(a.ApproxEquals(Lit("{{schema:0 count:3 sum:3 offset:1 buckets:[1 2]}}"), 0))
      << a.ToString();
}

TEST(FloatHistogramTest, AddReducesTheFinerSchema) {
  // Schema 1 buckets 1,2 (bounds 2^0.5, 2) merge into schema-0 bucket 1 (bound 2).
  FloatHistogram fine = Lit("{{schema:1 count:3 offset:1 buckets:[1 2]}}");
  FloatHistogram coarse = Lit("{{schema:0 count:1 offset:1 buckets:[1]}}");
  ASSERT_TRUE(fine.Add(coarse).ok());
  EXPECT_TRUE(fine.ApproxEquals(Lit("{{schema:0 count:4 offset:1 buckets:[4]}}"), 0))
      << fine.ToString();
}

TEST(FloatHistogramTest, IncompatibleLayoutsAreErrors) {
  FloatHistogram a = Lit("{{schema:-53 custom_values:[1] buckets:[1 1]}}");
  EXPECT_FALSE(a.Add(Lit("{{schema:-53 custom_values:[2] buckets:[1 1]}}")).ok());
  EXPECT_FALSE(a.Add(Lit("{{schema:0 buckets:[1]}}")).ok());
  FloatHistogram z = Lit("{{schema:0 z_bucket_w:0.001 z_bucket:1}}");
  EXPECT_FALSE(z.Add(Lit("{{schema:0 z_bucket_w:0.01 z_bucket:1}}")).ok());
}

TEST(FloatHistogramTest, DetectsCounterResets) {
  FloatHistogram prev = Lit("{{schema:-53 count:5 custom_values:[1] buckets:[2 3]}}");
  EXPECT_FALSE(Lit("{{schema:-53 count:6 custom_values:[1] buckets:[2 4]}}").DetectReset(prev));
  // Count grew but one bucket went down.
  EXPECT_TRUE(Lit("{{schema:-53 count:6 custom_values:[1] buckets:[1 5]}}").DetectReset(prev));
  EXPECT_TRUE(Lit("{{schema:-53 count:4 custom_values:[1] buckets:[2 2]}}").DetectReset(prev));
  // New bounds: the producer restarted with another layout.
  EXPECT_TRUE(Lit("{{schema:-53 count:9 custom_values:[2] buckets:[4 5]}}").DetectReset(prev));
  // Explicit hints win over the values.
  EXPECT_TRUE(Lit("{{schema:-53 count:6 custom_values:[1] buckets:[2 4] "
                  "counter_reset_hint:reset}}")
                  .DetectReset(prev));
  EXPECT_FALSE(Lit("{{schema:-53 count:1 custom_values:[1] buckets:[0 1] "
                   "counter_reset_hint:not_reset}}")
                   .DetectReset(prev));
  // A finer schema than before cannot continue the counter.
  EXPECT_TRUE(Lit("{{schema:1 count:9 buckets:[9]}}").DetectReset(Lit("{{schema:0 buckets:[1]}}")));
}

TEST(FloatHistogramTest, BucketsCarryTheirBounds) {
  FloatHistogram c = Lit("{{schema:-53 custom_values:[0.5 2] buckets:[1 2 3]}}");
  auto b = c.Buckets();
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b[0].lower, -INFINITY);
  EXPECT_EQ(b[0].upper, 0.5);
  EXPECT_EQ(b[1].lower, 0.5);
  EXPECT_EQ(b[1].upper, 2);
  EXPECT_EQ(b[2].lower, 2);
  EXPECT_EQ(b[2].upper, INFINITY);
  EXPECT_EQ(b[2].count, 3);

  // Schema 0: bucket i is (2^(i-1), 2^i]; negative buckets mirror it; zero bucket between.
  FloatHistogram e =
      Lit("{{schema:0 z_bucket_w:0.5 z_bucket:1 offset:1 buckets:[2] n_buckets:[3]}}");
  auto eb = e.Buckets();
  ASSERT_EQ(eb.size(), 3u);
  EXPECT_EQ(eb[0].lower, -1);
  EXPECT_EQ(eb[0].upper, -0.5);
  EXPECT_EQ(eb[0].count, 3);
  EXPECT_EQ(eb[1].lower, -0.5);
  EXPECT_EQ(eb[1].upper, 0.5);
  EXPECT_EQ(eb[2].lower, 1);
  EXPECT_EQ(eb[2].upper, 2);
  // Schema 1 halves the exponent steps.
  auto fine = Lit("{{schema:1 offset:1 buckets:[1]}}").Buckets();
  EXPECT_DOUBLE_EQ(fine[0].upper, std::sqrt(2.0));
}

TEST(FloatHistogramTest, ApproxEqualsIgnoresEmptyBucketPlacement) {
  EXPECT_TRUE(Lit("{{schema:0 buckets:[0 1 0]}}")
                  .ApproxEquals(Lit("{{schema:0 offset:1 buckets:[1]}}"), 0));
  EXPECT_FALSE(
      Lit("{{schema:0 buckets:[1]}}").ApproxEquals(Lit("{{schema:0 offset:1 buckets:[1]}}"), 0));
  EXPECT_TRUE(Lit("{{schema:0 sum:1 buckets:[1]}}")
                  .ApproxEquals(Lit("{{schema:0 sum:1.0000000001 buckets:[1]}}"), 1e-6));
}

}  // namespace
}  // namespace tocsin
