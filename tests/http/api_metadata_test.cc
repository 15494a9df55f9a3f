// /api/v1/metadata over a real SeriesStore: family naming as /metrics prints it, the limit,
// limit_per_metric and metric parameters, and Prometheus's error texts.
#include "agent/http/api_metadata.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "agent/http/server.h"
#include "agent/store/series_store.h"

namespace tocsin {
namespace {

using nlohmann::json;

class MetadataApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto app = store_.NewAppender("", 1000);
    ASSERT_TRUE(app->Add({{"__name__", "http_requests_total"}, {"code", "200"}}, 1).ok());
    ASSERT_TRUE(app->Add({{"__name__", "node_load1"}}, 1).ok());
    ASSERT_TRUE(app->Add({{"__name__", "req_seconds_bucket"}, {"le", "+Inf"}}, 1).ok());
    ASSERT_TRUE(app->Add({{"__name__", "req_seconds_count"}}, 1).ok());
    ASSERT_TRUE(app->Add({{"__name__", "odd"}}, 1).ok());
    app->SetMetadata("http_requests", {MetricType::kCounter, "Requests served.", ""});
    app->SetMetadata("node_load1", {MetricType::kGauge, "1m load average.", ""});
    app->SetMetadata("req_seconds", {MetricType::kHistogram, "Latency.", "seconds"});
    app->SetMetadata("odd", {MetricType::kUnknown, "No type.", ""});
    app->SetMetadata("gone", {MetricType::kGauge, "No series left.", ""});
    ASSERT_TRUE(app->Commit().ok());
    RegisterMetadataApi(server_, &store_);
  }

  ServerResponse Get(const std::string& query) {
    ServerRequest req;
    req.method = "GET";
    req.path = "/api/v1/metadata";
    req.query = query;
    return (*server_.HandlerFor(req.path))(req);
  }

  SeriesStore store_{StoreOptions{.retention = std::chrono::milliseconds(0)}};
  HttpServer server_;
};

TEST_F(MetadataApiTest, FamiliesNamedAsTheExpositionPrintsThem) {
  ServerResponse r = Get("");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body,
            R"({"status":"success","data":{)"
            R"("http_requests_total":[{"type":"counter","help":"Requests served.","unit":""}],)"
            R"("node_load1":[{"type":"gauge","help":"1m load average.","unit":""}],)"
            R"("odd":[{"type":"unknown","help":"No type.","unit":""}],)"
            R"("req_seconds":[{"type":"histogram","help":"Latency.","unit":"seconds"}]}})");
}

TEST_F(MetadataApiTest, MetricAndLimits) {
  EXPECT_EQ(
      json::parse(Get("metric=node_load1").body)["data"],
      json::parse(R"({"node_load1":[{"type":"gauge","help":"1m load average.","unit":""}]})"));
  EXPECT_EQ(json::parse(Get("metric=gone").body)["data"], json::object());
  EXPECT_EQ(json::parse(Get("limit=2").body)["data"].size(), 2u);
  EXPECT_EQ(json::parse(Get("limit=0").body)["data"], json::object());
  EXPECT_EQ(json::parse(Get("limit=-1").body)["data"].size(), 4u);
  EXPECT_EQ(json::parse(Get("limit_per_metric=1").body)["data"].size(), 4u);
}

TEST_F(MetadataApiTest, NonNumericLimitsAreBadData) {
  ServerResponse r = Get("limit=abc");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body,
            R"({"status":"error","errorType":"bad_data","error":"limit must be a number"})");
  r = Get("limit_per_metric=1.5");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body)["error"], "limit_per_metric must be a number");
}

TEST(ApiMetricTypeNameTest, PrometheusSpellings) {
  EXPECT_EQ(ApiMetricTypeName(MetricType::kUnknown), "unknown");
  EXPECT_EQ(ApiMetricTypeName(MetricType::kGaugeHistogram), "gaugehistogram");
  EXPECT_EQ(ApiMetricTypeName(MetricType::kStateSet), "stateset");
  EXPECT_EQ(ApiMetricTypeName(MetricType::kInfo), "info");
}

}  // namespace
}  // namespace tocsin
