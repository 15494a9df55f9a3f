// Tests of the scrape collector against a scripted HttpClient and the real SeriesStore: labels,
// synthetic series, failures (up 0), sample_limit, and stale markers for a target that
// disappears and comes back.
#include "collectors/scrape/scrape_collector.h"

#include <gtest/gtest.h>

#include <deque>
#include <mutex>

#include "agent/store/queryable.h"
#include "agent/store/series_store.h"
#include "tests/fakes/recording_appender.h"

namespace tocsin {
namespace {

class ScriptedHttp final : public HttpClient {
 public:
  void Push(HttpResponse r) {
    std::lock_guard l(mu_);
    responses_.push_back(std::move(r));
  }
  HttpResponse Do(const HttpRequest& request) override {
    std::lock_guard l(mu_);
    requests_.push_back(request);
    if (responses_.empty()) {
      HttpResponse r;
      r.error = "Couldn't connect to server";
      return r;
    }
    HttpResponse r = std::move(responses_.front());
    responses_.pop_front();
    return r;
  }
  std::vector<HttpRequest> requests_;

 private:
  std::mutex mu_;
  std::deque<HttpResponse> responses_;
};

HttpResponse Ok(std::string body, std::string content_type = "text/plain; version=0.0.4") {
  HttpResponse r;
  r.status = 200;
  r.body = std::move(body);
  r.headers["content-type"] = std::move(content_type);
  return r;
}

ScrapeConfig Config() {
  ScrapeConfig c;
  c.job_name = "app";
  c.scrape_interval = std::chrono::seconds(15);
  c.scrape_timeout = std::chrono::seconds(10);
  c.static_configs.push_back({{"127.0.0.1:8000"}, {{"team", "store"}}});
  return c;
}

Labels L(std::string name, std::initializer_list<Label> extra = {}) {
  LabelsBuilder b(Labels{{"instance", "127.0.0.1:8000"}, {"job", "app"}, {"team", "store"}});
  b.Set("__name__", name);
  for (const Label& l : extra) b.Set(l.name, l.value);
  return b.Build();
}

class ScrapeCollectorTest : public ::testing::Test {
 protected:
  std::unique_ptr<Collector> Make(const ScrapeConfig& c) {
    auto collectors = MakeScrapeCollectors(c, http_, &clock_);
    EXPECT_EQ(collectors.size(), 1u);
    return std::move(collectors[0].collector);
  }
  std::shared_ptr<ScriptedHttp> http_ = std::make_shared<ScriptedHttp>();
  FakeClock clock_{1'700'000'000'000};
  CollectContext ctx_{};
};

TEST_F(ScrapeCollectorTest, SuccessfulScrapeAddsTargetLabelsAndSyntheticSeries) {
  auto c = Make(Config());
  EXPECT_EQ(c->name(), "scrape/app/127.0.0.1:8000");
  http_->Push(Ok("# TYPE req_total counter\nreq_total{op=\"put\",status=\"ok\"} 5\n"));
  testing::RecordingAppender app;
  ASSERT_TRUE(c->Collect(ctx_, app).ok());
  EXPECT_EQ(app.Value(L("req_total", {{"op", "put"}, {"status", "ok"}})), 5);
  EXPECT_EQ(app.Value(L("up")), 1);
  EXPECT_EQ(app.Value(L("scrape_samples_scraped")), 1);
  EXPECT_EQ(app.Value(L("scrape_samples_post_metric_relabeling")), 1);
  EXPECT_EQ(app.Value(L("tocsin_scrape_parse_errors_total")), 0);
  EXPECT_TRUE(app.Value(L("scrape_duration_seconds")).has_value());
  EXPECT_EQ(app.metadata().at("req_total").type, MetricType::kCounter);
  ASSERT_EQ(http_->requests_.size(), 1u);
  const HttpRequest& req = http_->requests_[0];
  EXPECT_EQ(req.method, "GET");
  EXPECT_EQ(req.url, "http://127.0.0.1:8000/metrics");
  EXPECT_TRUE(req.accept_gzip);
  EXPECT_EQ(req.max_response_body, Config().body_size_limit);
}

TEST_F(ScrapeCollectorTest, FailuresWriteOnlyTheSyntheticSeriesWithUpZero) {
  auto c = Make(Config());
  struct Case {
    HttpResponse response;
    const char* why;
  };
  HttpResponse not_found = Ok("x 1\n");
  not_found.status = 404;
  HttpResponse too_big = Ok("x 1\n");
  too_big.truncated = true;
  std::vector<Case> cases = {{HttpResponse{}, "refused"},
                             {not_found, "404"},
                             {too_big, "truncated"},
                             {Ok("good 1\nbad{ 1\n"), "parse error"}};
  for (Case& k : cases) {
    http_->Push(k.response);
    testing::RecordingAppender app;
    ASSERT_TRUE(c->Collect(ctx_, app).ok()) << k.why;
    EXPECT_EQ(app.Value(L("up")), 0) << k.why;
    EXPECT_EQ(app.Series("x").size() + app.Series("good").size(), 0u) << k.why;
    EXPECT_EQ(app.Value(L("scrape_samples_post_metric_relabeling")), 0) << k.why;
  }
  // The parse error is counted, cumulatively.
  http_->Push(Ok("bad{ 1\nworse{ 2\n"));
  testing::RecordingAppender app;
  ASSERT_TRUE(c->Collect(ctx_, app).ok());
  EXPECT_EQ(app.Value(L("tocsin_scrape_parse_errors_total")), 3);
}

TEST_F(ScrapeCollectorTest, SampleLimitFailsTheWholeScrape) {
  ScrapeConfig cfg = Config();
  cfg.sample_limit = 2;
  auto c = Make(cfg);
  http_->Push(Ok("a 1\nb 2\nc 3\n"));
  testing::RecordingAppender app;
  ASSERT_TRUE(c->Collect(ctx_, app).ok());
  EXPECT_EQ(app.Value(L("up")), 0);
  EXPECT_EQ(app.Value(L("scrape_samples_scraped")), 3);
  EXPECT_TRUE(app.Series("a").empty());
  http_->Push(Ok("a 1\nb 2\n"));
  app.Clear();
  ASSERT_TRUE(c->Collect(ctx_, app).ok());
  EXPECT_EQ(app.Value(L("up")), 1);
}

TEST_F(ScrapeCollectorTest, OpenMetricsByContentTypeAndExplicitTimestamps) {
  auto c = Make(Config());
  http_->Push(Ok("# TYPE a gauge\na 1 1700000000.5\n# EOF\n",
                 "application/openmetrics-text; version=1.0.0; charset=utf-8"));
  testing::RecordingAppender app;
  ASSERT_TRUE(c->Collect(ctx_, app).ok());
  ASSERT_EQ(app.Series("a").size(), 1u);
  EXPECT_EQ(app.Series("a")[0].timestamp, 1700000000500);
  EXPECT_EQ(app.Value(L("up")), 1);
}

// The target disappears (refused) and comes back: its series get stale markers while `up` and
// the scrape_* series keep being written, and they come back with the target.
TEST_F(ScrapeCollectorTest, TargetThatDisappearsGoesStaleAndComesBack) {
  SeriesStore store(StoreOptions{.retention = std::chrono::milliseconds(0)});
  auto c = Make(Config());
  auto run = [&](TimestampMs t) {
    auto app = store.NewAppender(c->name(), t);
    CollectContext ctx{};
    ctx.now_ms = t;
    ASSERT_TRUE(c->Collect(ctx, *app).ok());
    ASSERT_TRUE(app->Commit().ok());
  };
  const TimestampMs t0 = 1'700'000'000'000;
  http_->Push(Ok("queue_depth 7\n"));
  run(t0);
  run(t0 + 15000);  // nothing queued: connection refused
  http_->Push(Ok("queue_depth 9\n"));
  run(t0 + 30000);

  auto q = store.NewQuerier(0, t0 + 60000);
  auto select = [&](const char* name) {
    std::vector<LabelMatcher> m = {LabelMatcher::Equal("__name__", name)};
    auto series = q->Select(m);
    EXPECT_EQ(series.size(), 1u) << name;
    return series.empty() ? std::vector<Sample>{} : series[0].samples;
  };
  auto depth = select("queue_depth");
  ASSERT_EQ(depth.size(), 3u);
  EXPECT_EQ(depth[0], (Sample{t0, 7}));
  EXPECT_EQ(depth[1].t, t0 + 15000);
  EXPECT_TRUE(IsStaleNaN(depth[1].v));
  EXPECT_EQ(depth[2], (Sample{t0 + 30000, 9}));
  auto up = select("up");
  ASSERT_EQ(up.size(), 3u);
  EXPECT_EQ(up[0].v, 1);
  EXPECT_EQ(up[1].v, 0);
  EXPECT_EQ(up[2].v, 1);
}

}  // namespace
}  // namespace tocsin
