// /api/v1/status/{buildinfo,runtimeinfo,flags}, /api/v1/query_exemplars and
// /api/v1/format_query: Prometheus's shapes, validation and status codes.
#include "agent/http/api_status.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "agent/http/api_exemplars.h"
#include "agent/http/api_format_query.h"
#include "agent/http/server.h"

namespace tocsin {
namespace {

using nlohmann::json;

class StatusApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StatusApiDeps deps{.build = {.tocsin_version = "0.1.0",
                                 .revision = "abc1234",
                                 .branch = "main",
                                 .build_user = "root@builder",
                                 .build_date = "20250101-12:00:00",
                                 .compiler = "GNU 12.2.0"},
                       .clock = &clock_,
                       .start_time = 1700000000000,
                       .reload =
                           [] {
                             return ReloadStatus{.last_successful = false,
                                                 .last_success_ms = 1700000001234,
                                                 .failures = 0,
                                                 .last_error = ""};
                           },
                       .retention = std::chrono::hours(1),
                       .flags = {{"log.level", "info"}, {"config", "/etc/tocsin/tocsin.yml"}}};
    RegisterStatusApi(server_, deps);
    RegisterExemplarsApi(server_);
    RegisterFormatQueryApi(server_);
  }

  ServerResponse Get(const std::string& path, const std::string& query = "") {
    ServerRequest req;
    req.method = "GET";
    req.path = path;
    req.query = query;
    return (*server_.HandlerFor(path))(req);
  }

  FakeClock clock_{1700000060500};
  HttpServer server_;
};

TEST_F(StatusApiTest, BuildInfoReportsAPrometheusCompatibleVersion) {
  ServerResponse r = Get("/api/v1/status/buildinfo");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"status":"success","data":{"version":"3.0.0+tocsin.0.1.0",)"
                    R"("revision":"abc1234","branch":"main","buildUser":"root@builder",)"
                    R"("buildDate":"20250101-12:00:00","goVersion":"GNU 12.2.0"}})");
  EXPECT_EQ(PrometheusCompatibleVersion("1.2.3"), "3.0.0+tocsin.1.2.3");
}

TEST_F(StatusApiTest, RuntimeInfoHasPrometheusFieldsInOrder) {
  ServerResponse r = Get("/api/v1/status/runtimeinfo");
  ASSERT_EQ(r.status, 200);
  json d = json::parse(r.body)["data"];
  EXPECT_EQ(d["startTime"], "2023-11-14T22:13:20Z");
  EXPECT_EQ(d["serverTime"], "2023-11-14T22:14:20.5Z");
  EXPECT_EQ(d["reloadConfigSuccess"], false);
  EXPECT_EQ(d["lastConfigTime"], "2023-11-14T22:13:21Z");  // whole seconds, as Prometheus
  EXPECT_EQ(d["corruptionCount"], 0);
  EXPECT_GE(d["goroutineCount"].get<int>(), 1);
  EXPECT_GE(d["GOMAXPROCS"].get<int>(), 1);
  EXPECT_EQ(d["GOMEMLIMIT"], INT64_MAX);
  EXPECT_EQ(d["storageRetention"], "1h");
  EXPECT_FALSE(d["CWD"].get<std::string>().empty());
  // Go struct order: the body lists the keys as Prometheus's RuntimeInfo declares them.
  std::vector<std::string> keys = {"startTime",
                                   "CWD",
                                   "hostname",
                                   "serverTime",
                                   "reloadConfigSuccess",
                                   "lastConfigTime",
                                   "corruptionCount",
                                   "goroutineCount",
                                   "GOMAXPROCS",
                                   "GOMEMLIMIT",
                                   "GOGC",
                                   "GODEBUG",
                                   "storageRetention"};
  size_t at = 0;
  for (const std::string& k : keys) {
    size_t found = r.body.find("\"" + k + "\":", at);
    ASSERT_NE(found, std::string::npos) << k;
    at = found;
  }
}

TEST_F(StatusApiTest, FlagsAreASortedMap) {
  EXPECT_EQ(
      Get("/api/v1/status/flags").body,
      R"({"status":"success","data":{"config":"/etc/tocsin/tocsin.yml","log.level":"info"}})");
}

TEST_F(StatusApiTest, QueryExemplarsValidatesLikePrometheus) {
  ServerResponse r = Get("/api/v1/query_exemplars", "query=up");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"status":"success","data":[]})");
  // No selector: no data, 204 as Prometheus's wrapper answers a nil result.
  EXPECT_EQ(Get("/api/v1/query_exemplars", "query=1%2B1").status, 204);
  r = Get("/api/v1/query_exemplars", "query=");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body)["error"], "1:1: parse error: no expression found in input");
  r = Get("/api/v1/query_exemplars", "query=up&start=5&end=1");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body)["error"], "end timestamp must not be before start timestamp");
  r = Get("/api/v1/query_exemplars", "query=up&start=x");
  EXPECT_EQ(
      json::parse(r.body)["error"],
      R"(invalid parameter "start": invalid time value for 'start': cannot parse "x" to a valid timestamp)");
  EXPECT_EQ(Get("/api/v1/query_exemplars", "query=rate(x%5B5m%5D)").status, 200);
}

TEST_F(StatusApiTest, FormatQueryPrettifies) {
  ServerResponse r = Get("/api/v1/format_query", "query=sum+by(job)(rate(x%5B5m%5D))");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"j({"status":"success","data":"sum by (job) (rate(x[5m]))"})j");
  std::string long_query =
      "sum+by(job)(rate(http_requests_total%7Bjob%3D%22api-server%22%2Cinstance%3D%22"
      "very-long-instance-name%3A9090%22%7D%5B5m%5D))";
  r = Get("/api/v1/format_query", "query=" + long_query);
  EXPECT_EQ(json::parse(r.body)["data"],
            "sum by (job) (\n  rate(http_requests_total{instance=\"very-long-instance-name:9090\","
            "job=\"api-server\"}[5m])\n)");
  r = Get("/api/v1/format_query", "query=foo(");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body)["errorType"], "bad_data");
  EXPECT_EQ(
      json::parse(r.body)["error"].get<std::string>().rfind(R"(invalid parameter "query": )", 0),
      0u);
}

}  // namespace
}  // namespace tocsin
