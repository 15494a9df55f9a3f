// /api/v1/labels, /api/v1/label/<name>/values and /api/v1/series over a real SeriesStore,
// through a real socket: Prometheus's parameters, sorting, limits and error texts.
#include "agent/http/api_labels.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "agent/http/server.h"
#include "agent/http_client/http_client.h"
#include "agent/store/series_store.h"

namespace tocsin {
namespace {

using nlohmann::json;

class LabelsApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // t = 10s: up{job=node,instance=b}, up{job=node,instance=a}, node_load1{instance=a};
    // t = 100s: probe_success{job=blackbox,service_name=api}.
    Add(10000, {{"__name__", "up"}, {"job", "node"}, {"instance", "b"}});
    Add(10000, {{"__name__", "up"}, {"job", "node"}, {"instance", "a"}});
    Add(10000, {{"__name__", "node_load1"}, {"instance", "a"}});
    Add(100000, {{"__name__", "probe_success"}, {"job", "blackbox"}, {"service_name", "api"}});
    RegisterLabelsApi(server_, &store_);
    ASSERT_TRUE(server_.Start("127.0.0.1:0", 2).ok());
  }

  void Add(TimestampMs t, Labels labels) {
    auto app = store_.NewAppender("", t);
    ASSERT_TRUE(app->Add(labels, 1).ok());
    ASSERT_TRUE(app->Commit().ok());
  }

  HttpResponse Do(const std::string& method, const std::string& target, std::string body = "") {
    HttpRequest r;
    r.method = method;
    r.url = "http://127.0.0.1:" + std::to_string(server_.port()) + target;
    r.body = std::move(body);
    if (method == "POST")
      r.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    return client_.Do(r);
  }

  // The decoded body, checked to be a success with status 200.
  json Ok(const std::string& target) {
    HttpResponse r = Do("GET", target);
    EXPECT_EQ(r.status, 200) << target << ": " << r.body;
    json j = json::parse(r.body);
    EXPECT_EQ(j["status"], "success") << r.body;
    return j;
  }

  // The error text of a 400 bad_data answer.
  std::string BadData(const std::string& target) {
    HttpResponse r = Do("GET", target);
    EXPECT_EQ(r.status, 400) << target << ": " << r.body;
    json j = json::parse(r.body);
    EXPECT_EQ(j["status"], "error");
    EXPECT_EQ(j["errorType"], "bad_data");
    return j.value("error", "");
  }

  SeriesStore store_{StoreOptions{.retention = std::chrono::milliseconds(0)}};
  HttpServer server_;
  CurlHttpClient client_;
};

TEST_F(LabelsApiTest, LabelNamesSortedAndFilteredByMatchersAndTime) {
  EXPECT_EQ(Ok("/api/v1/labels")["data"], json({"__name__", "instance", "job", "service_name"}));
  EXPECT_EQ(Ok("/api/v1/labels?match[]=node_load1")["data"], json({"__name__", "instance"}));
  // Several match[] are a union.
  EXPECT_EQ(Ok("/api/v1/labels?match[]=node_load1&match[]=probe_success")["data"],
            json({"__name__", "instance", "job", "service_name"}));
  // Only series with a sample in [start, end].
  EXPECT_EQ(Ok("/api/v1/labels?start=50&end=200")["data"],
            json({"__name__", "job", "service_name"}));
  EXPECT_EQ(Ok("/api/v1/labels?start=1000")["data"], json::array());
  // The exact body: Prometheus's envelope, no warnings key without a limit cut.
  EXPECT_EQ(Do("GET", "/api/v1/labels?match[]=node_load1").body,
            R"({"status":"success","data":["__name__","instance"]})");
}

TEST_F(LabelsApiTest, LimitTruncatesWithWarning) {
  HttpResponse r = Do("GET", "/api/v1/labels?limit=2");
  EXPECT_EQ(r.body, R"({"status":"success","data":["__name__","instance"],)"
                    R"("warnings":["results truncated due to limit"]})");
  // Exactly as many as the limit: no warning.
  EXPECT_EQ(Ok("/api/v1/labels?limit=4").count("warnings"), 0u);
  EXPECT_EQ(Ok("/api/v1/labels?limit=0")["data"].size(), 4u);
  EXPECT_EQ(BadData("/api/v1/labels?limit=x"),
            R"(invalid parameter "limit": strconv.Atoi: parsing "x": invalid syntax)");
  EXPECT_EQ(BadData("/api/v1/labels?limit=-1"),
            R"(invalid parameter "limit": limit must be non-negative)");
  EXPECT_EQ(
      BadData("/api/v1/labels?limit=99999999999999999999"),
      R"(invalid parameter "limit": strconv.Atoi: parsing "99999999999999999999": value out of range)");
}

TEST_F(LabelsApiTest, ParameterErrorsReadAsPrometheus) {
  EXPECT_EQ(
      BadData("/api/v1/labels?start=yesterday"),
      R"(invalid parameter "start": invalid time value for 'start': cannot parse "yesterday" to a valid timestamp)");
  EXPECT_EQ(
      BadData("/api/v1/labels?end=x"),
      R"(invalid parameter "end": invalid time value for 'end': cannot parse "x" to a valid timestamp)");
  // A bad selector is the parser's message, without a parameter prefix (labels, values).
  std::string err = BadData("/api/v1/labels?match[]=up%7B");
  EXPECT_NE(err.find("parse error"), std::string::npos) << err;
  EXPECT_EQ(err.find("invalid parameter"), std::string::npos) << err;
  err = BadData("/api/v1/labels?match[]=%7Bjob%3D%22%22%7D");
  EXPECT_NE(err.find("at least one non-empty matcher"), std::string::npos) << err;
  // A whole expression is not a selector.
  EXPECT_NE(BadData("/api/v1/labels?match[]=up%2B1").find("parse error"), std::string::npos);
  // Prometheus's MinTime/MaxTime spellings are accepted.
  EXPECT_EQ(Ok("/api/v1/labels?start=-292273086-05-16T16:47:06Z"
               "&end=292277025-08-18T07:12:54.999999999Z")["data"]
                .size(),
            4u);
}

TEST_F(LabelsApiTest, LabelValuesOfNamesAndMetricNames) {
  EXPECT_EQ(Ok("/api/v1/label/__name__/values")["data"],
            json({"node_load1", "probe_success", "up"}));
  EXPECT_EQ(Ok("/api/v1/label/instance/values")["data"], json({"a", "b"}));
  EXPECT_EQ(Ok("/api/v1/label/instance/values?match[]=node_load1")["data"], json({"a"}));
  EXPECT_EQ(Ok("/api/v1/label/job/values?start=50")["data"], json({"blackbox"}));
  EXPECT_EQ(Ok("/api/v1/label/nope/values")["data"], json::array());
  HttpResponse r = Do("GET", "/api/v1/label/__name__/values?limit=1");
  EXPECT_EQ(r.body, R"({"status":"success","data":["node_load1"],)"
                    R"("warnings":["results truncated due to limit"]})");
}

TEST_F(LabelsApiTest, LabelValuesNameValidationAndUtf8Escaping) {
  // Prometheus 3 accepts any UTF-8 name, and U__-escaped names (`__` is '_', `_2e_` '.').
  EXPECT_EQ(Ok("/api/v1/label/U__service__name/values")["data"], json({"api"}));
  EXPECT_EQ(Ok("/api/v1/label/U__service_2e_name/values")["data"], json::array());
  EXPECT_EQ(Ok("/api/v1/label/service.name/values")["data"], json::array());
  EXPECT_EQ(BadData("/api/v1/label/%FF/values"), R"(invalid label name: "\xff")");
  // Not one path segment: Prometheus's router does not match it.
  EXPECT_EQ(Do("GET", "/api/v1/label//values").status, 404);
  EXPECT_EQ(Do("GET", "/api/v1/label/a/b/values").status, 404);
  EXPECT_EQ(Do("GET", "/api/v1/label/job").status, 404);
  // Registered for GET only, as in Prometheus.
  EXPECT_EQ(Do("POST", "/api/v1/label/job/values", "").status, 405);
}

TEST(UnescapeLabelNameTest, PrometheusValueEncodingEscaping) {
  EXPECT_EQ(UnescapeLabelName("U__a_2e_b"), "a.b");
  EXPECT_EQ(UnescapeLabelName("U__a__b"), "a_b");
  EXPECT_EQ(UnescapeLabelName("U___1F600_"), "\xF0\x9F\x98\x80");
  EXPECT_EQ(UnescapeLabelName("plain_name"), "plain_name");
  // Invalid escapes leave the name as it was.
  EXPECT_EQ(UnescapeLabelName("U__a_2e"), "U__a_2e");
  EXPECT_EQ(UnescapeLabelName("U__a_zz_"), "U__a_zz_");
  EXPECT_EQ(UnescapeLabelName("U__a_D800_"), "U__a_D800_");  // a surrogate
  EXPECT_EQ(UnescapeLabelName("U__a_"), "U__a_");
  // Prometheus's loop admits five hex digits before the closing underscore.
  EXPECT_EQ(UnescapeLabelName("U___10FFF_"), "\xF0\x90\xBF\xBF");
  EXPECT_EQ(UnescapeLabelName("U___10FFFF_"), "U___10FFFF_");
}

TEST_F(LabelsApiTest, SeriesSortedMergedAndLimited) {
  EXPECT_EQ(Ok("/api/v1/series?match[]=up")["data"],
            json::parse(R"([{"__name__":"up","instance":"a","job":"node"},
                            {"__name__":"up","instance":"b","job":"node"}])"));
  // Overlapping sets are merged without duplicates, in label order.
  EXPECT_EQ(Ok("/api/v1/series?match[]=up%7Binstance%3D%22a%22%7D&match[]=%7Binstance%3D%22a%22%7D")
                ["data"],
            json::parse(R"([{"__name__":"node_load1","instance":"a"},
                            {"__name__":"up","instance":"a","job":"node"}])"));
  EXPECT_EQ(Ok("/api/v1/series?match[]=up&start=50")["data"], json::array());
  HttpResponse r = Do("GET", "/api/v1/series?match[]=up&limit=1");
  EXPECT_EQ(r.body, R"({"status":"success","data":[{"__name__":"up","instance":"a","job":"node"}],)"
                    R"("warnings":["results truncated due to limit"]})");
}

TEST_F(LabelsApiTest, SeriesErrors) {
  EXPECT_EQ(BadData("/api/v1/series"), "no match[] parameter provided");
  EXPECT_EQ(BadData("/api/v1/series?match[]=up&limit=x"),
            R"(invalid parameter "limit": strconv.Atoi: parsing "x": invalid syntax)");
  // Here the selector error carries the parameter name, as Prometheus's series handler writes.
  EXPECT_EQ(BadData("/api/v1/series?match[]=up%7B").rfind(R"(invalid parameter "match[]": )", 0),
            0u);
  EXPECT_EQ(BadData("/api/v1/series?match[]=").rfind(R"(invalid parameter "match[]": )", 0), 0u);
  EXPECT_EQ(Do("DELETE", "/api/v1/series?match[]=up").status, 405);
}

TEST_F(LabelsApiTest, PostFormsAreAccepted) {
  HttpResponse r = Do("POST", "/api/v1/series", "match%5B%5D=node_load1&match%5B%5D=probe_success");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["data"].size(), 2u);
  r = Do("POST", "/api/v1/labels", "match[]=node_load1&limit=1");
  EXPECT_EQ(r.body, R"({"status":"success","data":["__name__"],)"
                    R"("warnings":["results truncated due to limit"]})");
}

}  // namespace
}  // namespace tocsin
