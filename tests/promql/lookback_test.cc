// LookbackMs: how far back before the evaluation time an expression reads.
#include "agent/promql/lookback.h"

#include <gtest/gtest.h>

#include "agent/promql/engine.h"

namespace tocsin::promql {
namespace {

int64_t Lookback(std::string_view q) {
  auto e = Parse(q);
  EXPECT_TRUE(e.ok()) << q << ": " << e.status().message();
  return e.ok() ? LookbackMs(**e, 300'000) : -1;
}

TEST(LookbackTest, SelectorsRangesOffsetsAndSubqueries) {
  constexpr int64_t kMin = 60'000;
  EXPECT_EQ(Lookback("up"), 5 * kMin);  // the lookback delta
  EXPECT_EQ(Lookback("rate(x[1d])"), 1440 * kMin);
  EXPECT_EQ(Lookback("up offset 1h"), 65 * kMin);
  EXPECT_EQ(Lookback("rate(x[5m] offset 1h)"), 65 * kMin);
  EXPECT_EQ(Lookback("max_over_time(rate(x[5m])[1h:1m])"), 65 * kMin);
  EXPECT_EQ(Lookback("max_over_time(rate(x[5m])[1h:1m] offset 1d)"), (1440 + 65) * kMin);
  EXPECT_EQ(Lookback("a / on(i) group_left max_over_time(b[10m:]) or rate(c[6h])"), 360 * kMin);
  EXPECT_EQ(Lookback("topk(scalar(rate(k[2h])), y)"), 120 * kMin);
  EXPECT_EQ(Lookback("predict_linear(node_filesystem_avail_bytes[6h], 4 * 3600) < 0"), 360 * kMin);
}

TEST(LookbackTest, PinnedAndSeriesFreeExpressionsReadNothingKnown) {
  EXPECT_EQ(Lookback("vector(1) + time()"), 0);
  EXPECT_EQ(Lookback("rate(x[1d] @ 1700000000)"), 0);     // a fixed time, not relative
  EXPECT_EQ(Lookback("rate(x[1h] @ end())"), 3'600'000);  // the evaluation time itself
  EXPECT_EQ(Lookback("up offset -10m"), 0);               // reads ahead, not back
}

}  // namespace
}  // namespace tocsin::promql
