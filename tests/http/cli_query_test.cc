// `tocsin query` over the query API's answers, printed as `promtool query instant` prints them.
#include "agent/cli_query.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

namespace tocsin {
namespace {

class CannedClient final : public HttpClient {
 public:
  explicit CannedClient(std::string body) : body_(std::move(body)) {}
  HttpResponse Do(const HttpRequest&) override {
    HttpResponse r;
    r.status = 200;
    r.body = body_;
    return r;
  }

 private:
  std::string body_;
};

std::string QueryOutput(const std::string& body) {
  CannedClient client(body);
  CliArgs args;
  args.query_expr = "h";
  std::ostringstream out, err;
  EXPECT_EQ(RunQueryCommand(args, client, out, err), 0) << err.str();
  return out.str();
}

// A native histogram (the API's "histogram" / "histograms" keys) prints as client_golang's
// SampleHistogramPair: Count and Sum with %f, bounds with %g, counts shortest.
TEST(CliQueryTest, PrintsNativeHistogramsAsPromtool) {
  const std::string hist =
      R"({"count":"7","sum":"1e-07","buckets":[[1,"-1","-0.5","1"],[3,"-0.25","0.25","1"],)"
      R"([0,"0.5","1","2"],[0,"2","+Inf","3"]]})";
  const std::string want =
      "Count: 7.000000, Sum: 0.000000, Buckets: [[-1,-0.5):1 [-0.25,0.25]:1 (0.5,1]:2 "
      "(2,+Inf]:3] @[1.5]\n";
  EXPECT_EQ(QueryOutput(R"({"status":"success","data":{"resultType":"vector","result":[)"
                        R"({"metric":{"__name__":"h"},"histogram":[1.500,)" +
                        hist + "]}]}}"),
            "h => " + want);
  EXPECT_EQ(QueryOutput(R"({"status":"success","data":{"resultType":"matrix","result":[)"
                        R"({"metric":{"a":"b"},"values":[[1,"2"]],"histograms":[[1.5,)" +
                        hist + "]]}]}}"),
            "{a=\"b\"} =>\n2 @[1]\n" + want);
}

}  // namespace
}  // namespace tocsin
