#include "remote/queue_manager.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "remote.pb.h"
#include "remote/write_request.h"
#include "tests/fakes/eventually.h"
#include "tests/remote/test_support.h"
#include "write_v2.pb.h"

namespace tocsin::remote {
namespace {

using std::chrono::milliseconds;
using testing::PlainBatch;
using testing::ScriptedHttpClient;
using testing::TempDir;
using tocsin::testing::Eventually;

RemoteWriteConfig FastConfig() {
  RemoteWriteConfig c;
  c.url = "http://127.0.0.1:1/api/v1/write";
  c.name = "test";
  c.queue_config.max_shards = 4;
  c.queue_config.max_samples_per_send = 50;
  c.queue_config.batch_send_deadline = milliseconds(20);
  c.queue_config.min_backoff = milliseconds(1);
  c.queue_config.max_backoff = milliseconds(5);
  c.queue_config.fsync_interval = milliseconds(50);
  c.queue_config.segment_bytes = 8192;
  c.queue_config.max_queue_bytes = 1 << 20;
  return c;
}

std::unique_ptr<QueueManager> Open(const std::string& dir, HttpClient& http,
                                   RemoteWriteConfig config = FastConfig(), Labels external = {},
                                   MetadataSource metadata = {}) {
  auto m = QueueManager::Open({.config = std::move(config),
                               .external_labels = std::move(external),
                               .queue_dir = dir,
                               .user_agent = "tocsin/test",
                               .clock = &SystemClock::Instance(),
                               .http = &http,
                               .metadata = std::move(metadata)});
  EXPECT_TRUE(m.ok()) << m.status().message();
  return std::move(m).value();
}

// Writes `commits` commits of `series` series each, timestamps 1000 * commit.
void WriteCommits(QueueManager& m, int first, int commits, int series) {
  for (int c = first; c < first + commits; ++c) {
    std::vector<testing::PlainSample> batch;
    for (int s = 0; s < series; ++s) {
      batch.push_back({static_cast<uint64_t>(s + 1),
                       Labels{{"__name__", "m"}, {"s", std::to_string(s)}}, c * 1000, double(c)});
    }
    m.Write(PlainBatch(std::move(batch)));
  }
}

// Decodes every accepted request: series -> timestamps in arrival order.
std::map<std::string, std::vector<TimestampMs>> Received(ScriptedHttpClient& http) {
  std::map<std::string, std::vector<TimestampMs>> out;
  for (const HttpRequest& r : http.accepted()) {
    auto raw = SnappyUncompress(r.body);
    EXPECT_TRUE(raw.ok());
    prometheus::WriteRequest req;
    EXPECT_TRUE(req.ParseFromString(*raw));
    for (const auto& ts : req.timeseries()) {
      std::string key;
      for (const auto& l : ts.labels()) key += l.name() + "=" + l.value() + ",";
      for (const auto& s : ts.samples()) out[key].push_back(s.timestamp());
    }
  }
  return out;
}

size_t Count(const std::map<std::string, std::vector<TimestampMs>>& m) {
  size_t n = 0;
  for (const auto& [k, v] : m) n += v.size();
  return n;
}

TEST(QueueManagerTest, SendsEverySampleInOrderWithProtocolHeaders) {
  TempDir dir;
  ScriptedHttpClient http;
  auto m = Open(dir.path(), http);
  m->Start();
  WriteCommits(*m, 1, 40, 30);
  ASSERT_TRUE(Eventually([&] { return m->Stats().samples_total == 1200; }));
  auto got = Received(http);
  EXPECT_EQ(got.size(), 30u);
  for (const auto& [k, ts] : got) {
    ASSERT_EQ(ts.size(), 40u) << k;
    EXPECT_TRUE(std::is_sorted(ts.begin(), ts.end())) << k;
  }
  HttpRequest r = http.accepted().at(0);
  std::map<std::string, std::string> h(r.headers.begin(), r.headers.end());
  EXPECT_EQ(h["Content-Encoding"], "snappy");
  EXPECT_EQ(h["Content-Type"], "application/x-protobuf");
  EXPECT_EQ(h["X-Prometheus-Remote-Write-Version"], "0.1.0");
  EXPECT_EQ(h["User-Agent"], "tocsin/test");
  m->Stop();
  EXPECT_EQ(m->Stats().samples_pending, 0u);
}

TEST(QueueManagerTest, RetriesServerErrorsAndDropsClientErrors) {
  TempDir dir;
  ScriptedHttpClient http;
  http.Push(500);
  http.Push(429, {{"retry-after", "0"}});
  http.Push(0);  // transport failure
  auto m = Open(dir.path(), http);
  m->Start();
  WriteCommits(*m, 1, 1, 10);
  ASSERT_TRUE(Eventually([&] { return m->Stats().samples_total == 10; }));
  RemoteWriteQueueStats s = m->Stats();
  EXPECT_EQ(s.samples_retried_total, 30u);
  EXPECT_EQ(s.samples_failed_total, 0u);
  http.Push(400, {}, "out of bounds");
  WriteCommits(*m, 2, 1, 10);
  ASSERT_TRUE(Eventually([&] { return m->Stats().samples_failed_total == 10; }));
  WriteCommits(*m, 3, 1, 10);
  ASSERT_TRUE(Eventually([&] { return m->Stats().samples_total == 20; }));
  EXPECT_EQ(m->Stats().samples_retried_total, 30u);  // the 400 was not retried
}

TEST(QueueManagerTest, AppliesExternalLabelsThenRelabelling) {
  TempDir dir;
  ScriptedHttpClient http;
  RemoteWriteConfig c = FastConfig();
  RelabelConfig drop;
  drop.source_labels = {"s"};
  drop.regex = "1.*";
  drop.action = "drop";
  c.write_relabel_configs = {drop};
  auto m = Open(dir.path(), http, c, Labels{{"node", "db-1"}, {"s", "ignored"}});
  m->Start();
  WriteCommits(*m, 1, 3, 20);  // s=1 and s=10..19 are dropped: 11 series
  ASSERT_TRUE(Eventually([&] { return m->Stats().samples_total == 27; }));
  EXPECT_EQ(m->Stats().samples_dropped_total, 33u);
  auto got = Received(http);
  EXPECT_EQ(got.count("__name__=m,node=db-1,s=2,"), 1u);
}

// The remote is down while samples queue up; the agent dies without a clean stop (the queue and
// cursor on disk are all that is left); a new agent on the same directory sends all of them, in
// order, once the remote is back.
TEST(QueueManagerTest, OutageAndCrashLoseNothing) {
  TempDir dir;
  ScriptedHttpClient down;
  for (int i = 0; i < 100000; ++i) down.Push(503);
  {
    auto m = Open(dir.path(), down);
    m->Start();
    WriteCommits(*m, 1, 20, 25);
    ASSERT_TRUE(Eventually([&] { return m->Stats().samples_retried_total > 0; }));
    WriteCommits(*m, 21, 20, 25);
    // Nothing was acknowledged, so the cursor on disk is where it was when the round went out
    // (kill -9 itself is exercised by the integration test against Prometheus).
  }
  ScriptedHttpClient up;
  auto m = Open(dir.path(), up);
  m->Start();
  ASSERT_TRUE(Eventually([&] { return Count(Received(up)) >= 1000; }));
  auto got = Received(up);
  EXPECT_EQ(Count(got), 1000u);
  for (const auto& [k, ts] : got) {
    ASSERT_EQ(ts.size(), 40u) << k;
    EXPECT_TRUE(std::is_sorted(ts.begin(), ts.end()));
  }
}

// What was acknowledged before a restart is not sent again.
TEST(QueueManagerTest, RestartResumesAfterTheAcknowledgedCursor) {
  TempDir dir;
  {
    ScriptedHttpClient http;
    auto m = Open(dir.path(), http);
    m->Start();
    WriteCommits(*m, 1, 10, 10);
    ASSERT_TRUE(Eventually([&] { return m->Stats().samples_total == 100; }));
    m->Stop();
  }
  ScriptedHttpClient http;
  auto m = Open(dir.path(), http);
  m->Start();
  WriteCommits(*m, 11, 5, 10);
  ASSERT_TRUE(Eventually([&] { return m->Stats().samples_total == 50; }));
  auto got = Received(http);
  for (const auto& [k, ts] : got) EXPECT_EQ(ts.front(), 11000) << k;
  EXPECT_EQ(Count(got), 50u);
}

// A stop (or crash) in the middle of a round whose first request was acknowledged: the next
// start sends the same requests again, byte for byte, so a receiver never sees a request that
// mixes samples it stored with new ones (Prometheus would reject it whole as out of order).
TEST(QueueManagerTest, InterruptedRoundIsRebuiltRequestForRequest) {
  TempDir dir;
  RemoteWriteConfig c = FastConfig();
  c.queue_config.max_shards = 8;  // a round holds up to 80 samples
  c.queue_config.max_samples_per_send = 10;
  std::set<std::string> first_bodies;
  {
    ScriptedHttpClient http;
    http.Push(200);
    for (int i = 0; i < 100000; ++i) http.Push(503);
    auto m = Open(dir.path(), http, c);
    WriteCommits(*m, 1, 1, 40);  // the round: 40 samples (the deadline closes it), 4 shards
    m->Start();
    ASSERT_TRUE(Eventually([&] { return m->Stats().samples_retried_total > 0; }));
    m->Stop();
    for (const HttpRequest& r : http.requests()) first_bodies.insert(r.body);
  }
  ScriptedHttpClient http;
  auto m = Open(dir.path(), http, c);
  // Newer data queued before the restart must not join the rebuilt round (80 samples would
  // make 8 shards of other requests).
  WriteCommits(*m, 2, 1, 40);
  m->Start();
  ASSERT_TRUE(Eventually([&] { return m->Stats().samples_total == 80; }));
  m->Stop();
  std::set<std::string> second_bodies;
  for (const HttpRequest& r : http.accepted()) second_bodies.insert(r.body);
  // Every request of the interrupted round comes again identical (the acknowledged one too).
  for (const std::string& b : first_bodies) EXPECT_TRUE(second_bodies.count(b));
  EXPECT_EQ(Count(Received(http)), 80u);
}

const std::map<std::string, std::string> kV2Written = {
    {"x-prometheus-remote-write-samples-written", "1"},
    {"x-prometheus-remote-write-histograms-written", "0"},
    {"x-prometheus-remote-write-exemplars-written", "0"}};

std::string HeaderOf(const HttpRequest& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

// series -> timestamps of the accepted 2.0 requests.
std::map<std::string, std::vector<TimestampMs>> ReceivedV2(const std::vector<HttpRequest>& reqs,
                                                           std::set<std::string>* metadata) {
  std::map<std::string, std::vector<TimestampMs>> out;
  for (const HttpRequest& r : reqs) {
    auto raw = SnappyUncompress(r.body);
    EXPECT_TRUE(raw.ok());
    io::prometheus::write::v2::Request req;
    EXPECT_TRUE(req.ParseFromString(*raw));
    for (const auto& ts : req.timeseries()) {
      std::string key;
      for (int i = 0; i + 1 < ts.labels_refs_size(); i += 2) {
        key += req.symbols(ts.labels_refs(i)) + "=" + req.symbols(ts.labels_refs(i + 1)) + ",";
      }
      for (const auto& s : ts.samples()) out[key].push_back(s.timestamp());
      if (metadata && ts.has_metadata()) {
        metadata->insert(std::to_string(ts.metadata().type()) + " " +
                         req.symbols(ts.metadata().help_ref()));
      }
    }
  }
  return out;
}

TEST(QueueManagerTest, RemoteWrite2WithMetadata) {
  TempDir dir;
  ScriptedHttpClient http;
  http.SetDefault(204, kV2Written);
  RemoteWriteConfig c = FastConfig();
  c.protobuf_message = kRemoteWriteV2Message;
  auto m = Open(dir.path(), http, c, {}, [] {
    return std::vector<FamilyMetadata>{{"m", {MetricType::kGauge, "a test gauge", ""}}};
  });
  EXPECT_EQ(m->Stats().protobuf_message_version, 2);
  m->Start();
  WriteCommits(*m, 1, 5, 4);
  ASSERT_TRUE(Eventually([&] { return m->Stats().samples_total == 20; }));
  std::vector<HttpRequest> accepted = http.accepted();
  ASSERT_FALSE(accepted.empty());
  for (const HttpRequest& r : accepted) {
    EXPECT_EQ(HeaderOf(r, "Content-Type"),
              "application/x-protobuf;proto=io.prometheus.write.v2.Request");
    EXPECT_EQ(HeaderOf(r, "X-Prometheus-Remote-Write-Version"), "2.0.0");
    EXPECT_EQ(HeaderOf(r, "Content-Encoding"), "snappy");
  }
  std::set<std::string> metadata;
  auto got = ReceivedV2(accepted, &metadata);
  EXPECT_EQ(got.size(), 4u);
  for (const auto& [k, ts] : got) {
    EXPECT_EQ(ts.size(), 5u) << k;
    EXPECT_TRUE(std::is_sorted(ts.begin(), ts.end())) << k;
  }
  EXPECT_EQ(metadata, std::set<std::string>{"2 a test gauge"});
  m->Stop();
}

// A receiver that refuses 2.0 (415) or ignores the content type (2xx without the Written
// headers): the same request goes again as 1.0 at once, and 1.0 is used from then on.
TEST(QueueManagerTest, FallsBackToRemoteWrite1) {
  for (int refusal : {415, 204}) {
    TempDir dir;
    ScriptedHttpClient http;
    http.Push(refusal);  // no Written headers
    http.SetDefault(200);
    RemoteWriteConfig c = FastConfig();
    c.protobuf_message = kRemoteWriteV2Message;
    auto m = Open(dir.path(), http, c);
    m->Start();
    WriteCommits(*m, 1, 3, 2);
    ASSERT_TRUE(Eventually([&] { return m->Stats().samples_total == 6; })) << refusal;
    std::vector<HttpRequest> sent = http.requests();
    ASSERT_GE(sent.size(), 2u);
    EXPECT_EQ(HeaderOf(sent[0], "X-Prometheus-Remote-Write-Version"), "2.0.0");
    for (size_t i = 1; i < sent.size(); ++i) {
      EXPECT_EQ(HeaderOf(sent[i], "Content-Type"), "application/x-protobuf") << refusal;
      EXPECT_EQ(HeaderOf(sent[i], "X-Prometheus-Remote-Write-Version"), "0.1.0");
    }
    // Every sample arrived as 1.0, none counted as failed or retried.
    std::vector<HttpRequest> v1(sent.begin() + 1, sent.end());
    size_t n = 0;
    for (const HttpRequest& r : v1) {
      prometheus::WriteRequest req;
      ASSERT_TRUE(req.ParseFromString(*SnappyUncompress(r.body)));
      for (const auto& ts : req.timeseries()) n += ts.samples_size();
    }
    EXPECT_EQ(n, 6u);
    RemoteWriteQueueStats s = m->Stats();
    EXPECT_EQ(s.protobuf_message_version, 1);
    EXPECT_EQ(s.samples_failed_total, 0u);
    m->Stop();
  }
}

}  // namespace
}  // namespace tocsin::remote
