// Results whose exact bits or strings the differential test against a real Prometheus
// (tests/promql_diff) found to differ: each expectation is what Prometheus 2.42 answers and
// Prometheus 3.0's code gives.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "agent/promql/engine.h"
#include "tests/fakes/memory_queryable.h"

namespace tocsin::promql {
namespace {

using tocsin::testing::MemoryQueryable;

class PrometheusNumbersTest : public ::testing::Test {
 protected:
  Vector Vec(std::string_view q, TimestampMs t = 100'000) {
    auto e = Parse(q);
    EXPECT_TRUE(e.ok()) << q << ": " << e.status().message();
    if (!e.ok()) return {};
    auto r = engine_.Instant(*e, data_, t);
    EXPECT_TRUE(r.ok()) << q << ": " << r.status().message();
    if (!r.ok()) return {};
    EXPECT_EQ(r->type, ValueType::kVector) << q;
    return r->vector;
  }
  double One(std::string_view q) {
    Vector v = Vec(q);
    EXPECT_EQ(v.size(), 1u) << q;
    return v.empty() ? std::nan("") : v[0].v;
  }
  MemoryQueryable data_;
  Engine engine_;
};

// Prometheus starts the running variance at 0, so a one-element group is +0, never -0.
TEST_F(PrometheusNumbersTest, StddevOfOneNegativeValueIsPositiveZero) {
  data_.Add({{"__name__", "g"}, {"i", "a"}}, {{90'000, -3}});
  data_.Add({{"__name__", "g"}, {"i", "b"}}, {{90'000, -0.5}});
  for (const char* q : {"stddev by (i) (g)", "stdvar by (i) (g)", "stddev(vector(-3))"}) {
    for (const InstantSample& s : Vec(q)) {
      EXPECT_EQ(s.v, 0) << q;
      EXPECT_FALSE(std::signbit(s.v)) << q;
    }
  }
  EXPECT_TRUE(std::isnan(One("stddev(vector(-Inf))")));
  EXPECT_TRUE(std::isnan(One("stdvar(vector(NaN))")));
}

// time.Unix(int64(v), 0).UTC(): amd64 Go converts NaN and ±Inf to math.MinInt64.
TEST_F(PrometheusNumbersTest, DateFunctionsOfNaNAndInfAreGoTimeOfMinInt64) {
  for (const char* v : {"NaN", "Inf", "-Inf", "1e19"}) {
    auto at = [&](const std::string& fn) { return One(fn + "(vector(" + v + "))"); };
    EXPECT_EQ(at("year"), 292277026596) << v;
    EXPECT_EQ(at("month"), 12) << v;
    EXPECT_EQ(at("day_of_month"), 4) << v;
    EXPECT_EQ(at("day_of_week"), 0) << v;
    EXPECT_EQ(at("day_of_year"), 339) << v;
    EXPECT_EQ(at("hour"), 15) << v;
    EXPECT_EQ(at("minute"), 30) << v;
    EXPECT_EQ(at("days_in_month"), 31) << v;
  }
  EXPECT_EQ(One("year(vector(-62135596801))"), 0);
  EXPECT_EQ(One("days_in_month(vector(1709164800))"), 29);  // 2024-02-29
}

// count_values writes the value with strconv.FormatFloat(v, 'f', -1, 64): shortest digits,
// padded with zeros.
TEST_F(PrometheusNumbersTest, CountValuesLabelUsesGoShortestDigits) {
  Vector v = Vec(R"(count_values("v", vector(11545674521997289193472)))");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].labels.Get("v"), "11545674521997290000000");
}

// Error messages print their float operands with the verb Prometheus's code uses: %v for the
// topk/bottomk/limitk parameter, %f for double_exponential_smoothing's factors.
TEST_F(PrometheusNumbersTest, ErrorMessagesFormatFloatsAsPrometheus) {
  data_.Add({{"__name__", "g"}}, {{40'000, 1}, {70'000, 2}, {90'000, 4}});
  struct Case {
    const char* query;
    const char* message;
  };
  const Case cases[] = {
      {"topk(1e19, g)", "Scalar value 1e+19 overflows int64"},
      {"bottomk(-1e300, g)", "Scalar value -1e+300 overflows int64"},
      {"topk(NaN, g)", "Scalar value NaN overflows int64"},
      {"double_exponential_smoothing(g[1m], 1.5, 0.5)",
       "invalid smoothing factor. Expected: 0 < sf < 1, got: 1.500000"},
      {"double_exponential_smoothing(g[1m], 0.5, 0)",
       "invalid trend factor. Expected: 0 < tf < 1, got: 0.000000"},
  };
  for (const Case& c : cases) {
    auto e = Parse(c.query);
    ASSERT_TRUE(e.ok()) << c.query << ": " << e.status().message();
    auto r = engine_.Instant(*e, data_, 100'000);
    ASSERT_FALSE(r.ok()) << c.query;
    EXPECT_EQ(r.status().message(), c.message) << c.query;
  }
}

}  // namespace
}  // namespace tocsin::promql
