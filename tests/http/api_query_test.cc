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
  EXPECT_EQ(QueryResultJson(scalar), R"({"result":[1.5,"1000000"],"resultType":"scalar"})");

  promql::Value vec;
  vec.type = promql::ValueType::kVector;
  vec.t = 2000;
  vec.vector.push_back({Labels{{"__name__", "up"}, {"job", "a"}}, std::nan("")});
  EXPECT_EQ(QueryResultJson(vec),
            R"({"result":[{"metric":{"__name__":"up","job":"a"},"value":[2.0,"NaN"]}],)"
            R"("resultType":"vector"})");

  promql::Value matrix;
  matrix.type = promql::ValueType::kMatrix;
  matrix.matrix.push_back({Labels{{"a", "b"}}, {{1000, 1}, {2000, -2.5}}});
  EXPECT_EQ(QueryResultJson(matrix),
            R"({"result":[{"metric":{"a":"b"},"values":[[1.0,"1"],[2.0,"-2.5"]]}],)"
            R"("resultType":"matrix"})");
}

}  // namespace
}  // namespace tocsin
