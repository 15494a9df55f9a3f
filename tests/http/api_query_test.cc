#include "agent/http/api_query.h"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>

#include "agent/core/float_histogram.h"

namespace tocsin {
namespace {

TEST(QueryResultJsonTest, PrometheusShapes) {
  promql::Value scalar;
  scalar.type = promql::ValueType::kScalar;
  scalar.scalar = 1e6;
  scalar.t = 1500;
  EXPECT_EQ(QueryResultJson(scalar), R"({"resultType":"scalar","result":[1.5,"1000000"]})");

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

// What a real Prometheus (2.42 and 3.0) writes: scalar and string results are encoding/json's
// float64(t)/1000 and a scalar value is 'f'-formatted; vector and matrix points use
// jsonutil.MarshalTimestamp ("1796630993.500") and MarshalFloat ('e' below 1e-6 and from 1e21).
TEST(QueryResultJsonTest, NumberFormatsMatchPrometheus) {
  promql::Value scalar;
  scalar.type = promql::ValueType::kScalar;
  scalar.t = 1796630993500;
  scalar.scalar = 1e-7;
  EXPECT_EQ(QueryResultJson(scalar),
            R"({"resultType":"scalar","result":[1796630993.5,"0.0000001"]})");
  scalar.t = 1796630993123;
  scalar.scalar = 6.239452022590642e+248;
  EXPECT_EQ(QueryResultJson(scalar).substr(0, 55),
            R"({"resultType":"scalar","result":[1796630993.123,"623945)");
  scalar.t = 0;
  EXPECT_EQ(QueryResultJson(scalar).substr(0, 36), R"({"resultType":"scalar","result":[0,")");

  promql::Value str;
  str.type = promql::ValueType::kString;
  str.t = -1500;
  str.str = "a";
  EXPECT_EQ(QueryResultJson(str), R"({"resultType":"string","result":[-1.5,"a"]})");

  promql::Value vec;
  vec.type = promql::ValueType::kVector;
  vec.t = 1796630993500;
  vec.vector.push_back({Labels{}, 2.9168236352203776e-07});
  vec.vector.push_back({Labels{}, 6.239452022590642e+248});
  vec.vector.push_back({Labels{}, 177514401712176384.0});
  EXPECT_EQ(QueryResultJson(vec),
            R"({"resultType":"vector","result":[)"
            R"({"metric":{},"value":[1796630993.500,"2.9168236352203776e-07"]},)"
            R"({"metric":{},"value":[1796630993.500,"6.239452022590642e+248"]},)"
            R"({"metric":{},"value":[1796630993.500,"177514401712176400"]}]})");

  promql::Value matrix;
  matrix.type = promql::ValueType::kMatrix;
  matrix.matrix.push_back({Labels{}, {{1796630993500, 1e21}, {1796630994000, 1e-6}}});
  EXPECT_EQ(QueryResultJson(matrix), R"({"resultType":"matrix","result":[{"metric":{},"values":[)"
                                     R"([1796630993.500,"1e+21"],[1796630994,"0.000001"]]}]})");
}

// Native histograms as Prometheus 3.0's jsonutil.MarshalHistogram writes them: a "histogram"
// key instead of "value", non-empty buckets only, boundaries 0 (l,u], 1 [l,u), 3 [l,u].
TEST(QueryResultJsonTest, NativeHistogramsUseMarshalHistogram) {
  auto h = ParseHistogramLiteral(
      "{{schema:0 count:7 sum:1e-7 z_bucket_w:0.25 z_bucket:1 buckets:[2 0 3] n_buckets:[1]}}");
  ASSERT_TRUE(h.ok()) << h.status().message();
  auto shared = std::make_shared<const FloatHistogram>(*h);
  promql::Value vec;
  vec.type = promql::ValueType::kVector;
  vec.t = 1500;
  vec.vector.push_back({Labels{{"a", "b"}}, 0, shared});
  const std::string hist =
      R"({"count":"7","sum":"1e-07","buckets":[[1,"-1","-0.5","1"],[3,"-0.25","0.25","1"],)"
      R"([0,"0.5","1","2"],[0,"2","4","3"]]})";
  EXPECT_EQ(QueryResultJson(vec), R"({"resultType":"vector","result":[{"metric":{"a":"b"},)"
                                  R"("histogram":[1.500,)" +
                                      hist + "]}]}");

  promql::Value matrix;
  matrix.type = promql::ValueType::kMatrix;
  matrix.matrix.push_back({Labels{}, {}, {{2000, shared}}});
  EXPECT_EQ(QueryResultJson(matrix), R"({"resultType":"matrix","result":[{"metric":{},)"
                                     R"("histograms":[[2,)" +
                                         hist + "]]}]}");
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
