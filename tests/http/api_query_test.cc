#include "agent/http/api_query.h"

#include <gtest/gtest.h>

#include <cmath>

namespace tocsin {
namespace {

TEST(QueryResultJsonTest, PrometheusShapes) {
  promql::Value scalar;
  scalar.type = promql::ValueType::kScalar;
  scalar.scalar = 1e6;
  scalar.t = 1500;
  EXPECT_EQ(QueryResultJson(scalar), R"({"resultType":"scalar","result":[1.500,"1000000"]})");

  promql::Value vec;
  vec.type = promql::ValueType::kVector;
  vec.t = 2000;
  vec.vector.push_back({Labels{{"__name__", "up"}, {"job", "a"}}, std::nan("")});
  EXPECT_EQ(QueryResultJson(vec),
            R"({"resultType":"vector","result":[{"metric":{"__name__":"up","job":"a"},)"
            R"("value":[2,"NaN"]}]})");

  promql::Value matrix;
  matrix.type = promql::ValueType::kMatrix;
  matrix.matrix.push_back({Labels{{"a", "b"}}, {{1000, 1}, {2005, -2.5}}});
  EXPECT_EQ(QueryResultJson(matrix), R"({"resultType":"matrix","result":[{"metric":{"a":"b"},)"
                                     R"("values":[[1,"1"],[2.005,"-2.5"]]}]})");
}

// Prometheus answers invalid UTF-8 (e.g. from label_replace) with U+FFFD instead of failing.
TEST(QueryResultJsonTest, InvalidUtf8BecomesReplacementCharacter) {
  promql::Value vec;
  vec.type = promql::ValueType::kVector;
  vec.t = -1500;
  vec.vector.push_back({Labels{{"a", "\xff"}, {"b", "x\xe2\x82y"}}, 1});
  EXPECT_EQ(QueryResultJson(vec),
            R"({"resultType":"vector","result":[{"metric":{"a":"\ufffd","b":"x\ufffd\ufffdy"},)"
            R"("value":[-1.500,"1"]}]})");
}

}  // namespace
}  // namespace tocsin
