// Tests of the StatsD collector: line parsing, aggregation (golden exposition), bad lines by
// reason, the series limit, and the real UDP / unixgram receiver thread.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "agent/core/internal_errors.h"
#include "collectors/statsd/statsd_aggregator.h"
#include "collectors/statsd/statsd_collector.h"
#include "collectors/statsd/statsd_line.h"
#include "collectors/statsd/statsd_receiver.h"
#include "tests/collectors/system/golden.h"
#include "tests/fakes/eventually.h"
#include "tests/fakes/recording_appender.h"

namespace tocsin {
namespace {

TEST(StatsdLine, ParsesPlainAndDogStatsd) {
  StatsdLine l;
  ASSERT_EQ(ParseStatsdLine("store.put.latency:12.5|ms|@0.5|#op:put,region:eu", l),
            StatsdError::kOk);
  EXPECT_EQ(l.name, "store.put.latency");
  EXPECT_EQ(l.values, "12.5");
  EXPECT_EQ(l.type, StatsdType::kTimer);
  EXPECT_EQ(l.sample_rate, 0.5);
  EXPECT_EQ(l.tags, "op:put,region:eu");
  ASSERT_EQ(ParseStatsdLine("g:-3|g", l), StatsdError::kOk);
  ASSERT_EQ(ParseStatsdLine("d:1:2:3|d|c:abc|T1656581400", l), StatsdError::kOk);
  EXPECT_EQ(l.values, "1:2:3");
  ASSERT_EQ(ParseStatsdLine("users:alice|s", l), StatsdError::kOk);
  EXPECT_EQ(l.values, "alice");
}

TEST(StatsdLine, RejectsWithReasons) {
  StatsdLine l;
  EXPECT_EQ(ParseStatsdLine("novalue", l), StatsdError::kMalformedLine);
  EXPECT_EQ(ParseStatsdLine("a:1", l), StatsdError::kMalformedLine);
  EXPECT_EQ(ParseStatsdLine(":1|c", l), StatsdError::kInvalidName);
  EXPECT_EQ(ParseStatsdLine("a:x|c", l), StatsdError::kMalformedValue);
  EXPECT_EQ(ParseStatsdLine("a:1:|c", l), StatsdError::kMalformedValue);
  EXPECT_EQ(ParseStatsdLine("a:nan|g", l), StatsdError::kMalformedValue);
  EXPECT_EQ(ParseStatsdLine("a:1|x", l), StatsdError::kUnknownType);
  EXPECT_EQ(ParseStatsdLine("a:1|c|@0", l), StatsdError::kInvalidSampleRate);
  EXPECT_EQ(ParseStatsdLine("a:1|c|@1.5", l), StatsdError::kInvalidSampleRate);
  EXPECT_EQ(ParseStatsdLine("a:1|c|zz", l), StatsdError::kMalformedComponent);
  EXPECT_EQ(ParseStatsdLine("a:1|c||", l), StatsdError::kMalformedComponent);
}

TEST(StatsdLine, EscapesNamesLikeStatsdExporter) {
  std::string out;
  AppendEscapedStatsdName(out, "store.put-latency");
  EXPECT_EQ(out, "store_put_latency");
  out.clear();
  AppendEscapedStatsdName(out, "5xx.count");
  EXPECT_EQ(out, "_5xx_count");
}

class StatsdAggregatorTest : public ::testing::Test {
 protected:
  FakeClock clock_{1'700'000'000'000};
};

TEST_F(StatsdAggregatorTest, AggregatesEveryTypeGolden) {
  StatsdAggregatorOptions o;
  o.quantiles = {0.5, 0.99};
  StatsdAggregator agg(clock_, o);
  agg.AddPacket(
      "requests:1|c|#operation:put,status:ok\n"
      "requests:2|c|@0.5|#status:ok,operation:put\n"  // same series, tags in another order
      "requests:1|c|#operation:get,status:error\n"
      "cache.hits_total:5|c\n"
      "queue.depth:10|g\nqueue.depth:+5|g\nqueue.depth:-3|g\n"
      "breaker.state:2|g|#name:scylla\n"
      "store.put.latency:100|ms|#operation:put\nstore.put.latency:300|ms|#operation:put\n"
      "payload.bytes:1:2:3|h\n"
      "users:alice|s\nusers:bob|s\nusers:alice|s\n");
  testing::RecordingAppender app;
  ASSERT_TRUE(agg.WriteTo(app).ok());
  testing::ExpectGolden(
      std::string(TOCSIN_SOURCE_DIR) + "/tests/collectors/statsd/testdata/aggregate.golden",
      app.Render());
  EXPECT_TRUE(app.DuplicateSeries().empty());
  // Sets count distinct members per interval: the next collection starts from zero.
  app.Clear();
  ASSERT_TRUE(agg.WriteTo(app).ok());
  EXPECT_EQ(app.Value(Labels{{"__name__", "users"}}), 0);
  EXPECT_EQ(
      app.Value(Labels{{"__name__", "requests_total"}, {"operation", "put"}, {"status", "ok"}}), 5);
}

TEST_F(StatsdAggregatorTest, BadLinesAreCountedByReasonAndOthersStillCount) {
  StatsdAggregatorOptions o;
  o.max_series = 2;
  StatsdAggregator agg(clock_, o);
  agg.AddPacket("a:1|c\nbroken\nb:1|q\nc:x|g\na:1|g\nd:1|c\ne:1|c\nf:1|c|#t:\xff\n\n");
  StatsdCounts c = agg.Counts();
  EXPECT_EQ(c.packets, 1u);
  EXPECT_EQ(c.lines, 8u);
  EXPECT_EQ(c.bad[size_t(StatsdError::kInvalidUtf8)], 1u);
  EXPECT_EQ(c.bad[size_t(StatsdError::kMalformedLine)], 1u);
  EXPECT_EQ(c.bad[size_t(StatsdError::kUnknownType)], 1u);
  EXPECT_EQ(c.bad[size_t(StatsdError::kMalformedValue)], 1u);
  EXPECT_EQ(c.bad[size_t(StatsdError::kTypeConflict)], 1u);  // a as gauge after a as counter
  EXPECT_EQ(c.bad[size_t(StatsdError::kSeriesLimit)], 1u);   // e: a and d fill the limit
  EXPECT_EQ(c.series, 2u);
  testing::RecordingAppender app;
  ASSERT_TRUE(agg.WriteTo(app).ok());
  EXPECT_EQ(
      app.Value(Labels{{"__name__", "tocsin_statsd_bad_lines_total"}, {"reason", "series_limit"}}),
      1);
  EXPECT_EQ(app.Value(Labels{{"__name__", "tocsin_statsd_lines_total"}}), 8);
}

TEST_F(StatsdAggregatorTest, TimerQuantilesSlideWithTheWindow) {
  StatsdAggregatorOptions o;
  o.window = std::chrono::minutes(1);
  o.quantiles = {0.5};
  StatsdAggregator agg(clock_, o);
  agg.AddPacket("lat:1000|ms");
  testing::RecordingAppender app;
  ASSERT_TRUE(agg.WriteTo(app).ok());
  auto q = app.Value(Labels{{"__name__", "lat"}, {"quantile", "0.5"}});
  ASSERT_TRUE(q.has_value());
  EXPECT_NEAR(*q, 1.0, 0.01);
  clock_.Advance(std::chrono::minutes(2));
  app.Clear();
  ASSERT_TRUE(agg.WriteTo(app).ok());
  EXPECT_TRUE(std::isnan(*app.Value(Labels{{"__name__", "lat"}, {"quantile", "0.5"}})));
  EXPECT_EQ(app.Value(Labels{{"__name__", "lat_count"}}), 1);  // all-time
}

using testing::Eventually;

void SendUdp(uint16_t port, const std::string& payload) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(
      sendto(fd, payload.data(), payload.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a),
      static_cast<ssize_t>(payload.size()));
  close(fd);
}

TEST(StatsdReceiverTest, UdpAndUnixDatagramsReachTheAggregator) {
  FakeClock clock(1'700'000'000'000);
  StatsdCollectorConfig cfg;
  cfg.enabled = true;
  cfg.listen_address = "127.0.0.1:0";
  std::string dir = ::testing::TempDir() + "/statsd-" + std::to_string(getpid());
  std::filesystem::create_directories(dir);
  cfg.unix_socket_path = dir + "/statsd.sock";
  auto collector = MakeStatsdCollector(cfg, &clock);
  ASSERT_TRUE(collector.ok()) << collector.status().message();
  StatsdServer& server = StatsdServerOf(**collector);
  uint16_t port = server.receiver().WaitUdpPort(std::chrono::seconds(5));
  ASSERT_NE(port, 0);
  for (int i = 0; i < 100; ++i) SendUdp(port, "hits:1|c|#cache:lru\nmisses:1|c|#cache:lru");

  int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strcpy(a.sun_path, cfg.unix_socket_path.c_str());
  std::string p = "queue.depth:42|g";
  ASSERT_EQ(sendto(fd, p.data(), p.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a),
            static_cast<ssize_t>(p.size()));
  close(fd);

  ASSERT_TRUE(Eventually([&] { return server.aggregator().Counts().lines == 201; }))
      << server.aggregator().Counts().lines;
  testing::RecordingAppender app;
  ASSERT_TRUE((*collector)->Collect(CollectContext{}, app).ok());
  EXPECT_EQ(app.Value(Labels{{"__name__", "hits_total"}, {"cache", "lru"}}), 100);
  EXPECT_EQ(app.Value(Labels{{"__name__", "misses_total"}, {"cache", "lru"}}), 100);
  EXPECT_EQ(app.Value(Labels{{"__name__", "queue_depth"}}), 42);
  EXPECT_EQ(app.Value(Labels{{"__name__", "tocsin_statsd_listening"}}), 1);
  EXPECT_EQ(app.Value(Labels{{"__name__", "tocsin_statsd_packets_total"}}), 101);

  // A second collector with the same section (a reload) shares the running server.
  auto again = MakeStatsdCollector(cfg, &clock);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(&StatsdServerOf(**again), &server);
  collector->reset();
  SendUdp(port, "hits:1|c|#cache:lru");
  ASSERT_TRUE(
      Eventually([&] { return StatsdServerOf(**again).aggregator().Counts().lines == 202; }));
  // The last owner gone, the socket is closed and the unix socket file removed.
  again->reset();
  EXPECT_FALSE(std::filesystem::exists(cfg.unix_socket_path));
  std::filesystem::remove_all(dir);
}

// A sink that throws (a parser bug) costs that batch; the listener keeps receiving.
TEST(StatsdReceiverTest, ThrowingSinkIsCountedAndTheListenerCarriesOn) {
  uint64_t before = InternalErrors::Process().Snapshot()["statsd"];
  std::atomic<int> good{0};
  StatsdReceiverOptions options;
  options.udp_address = "127.0.0.1:0";
  auto receiver = StatsdReceiver::Start(options, [&good](std::span<const std::string_view> batch) {
    for (std::string_view d : batch) {
      if (d == "boom") throw std::logic_error("parser bug");
      ++good;
    }
  });
  ASSERT_TRUE(receiver.ok()) << receiver.status().message();
  uint16_t port = (*receiver)->WaitUdpPort(std::chrono::seconds(5));
  ASSERT_NE(port, 0);
  SendUdp(port, "boom");
  ASSERT_TRUE(Eventually([&] { return InternalErrors::Process().Snapshot()["statsd"] > before; }));
  SendUdp(port, "a:1|c");
  EXPECT_TRUE(Eventually([&] { return good.load() >= 1; }));
}

TEST(StatsdReceiverTest, BindIsRetriedUntilTheAddressIsFree) {
  // Hold a port, start a receiver on it, release it: the receiver binds by itself.
  int holder = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(holder, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  socklen_t len = sizeof a;
  getsockname(holder, reinterpret_cast<sockaddr*>(&a), &len);
  uint16_t port = ntohs(a.sin_port);
  std::atomic<int> received{0};
  auto r = StatsdReceiver::Start(
      {"127.0.0.1:" + std::to_string(port), "", 1 << 20, 8},
      [&](std::span<const std::string_view> b) { received += static_cast<int>(b.size()); });
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE((*r)->Stats().listening);
  close(holder);
  ASSERT_TRUE(Eventually([&] { return (*r)->Stats().listening; }));
  SendUdp(port, "x:1|c");
  ASSERT_TRUE(Eventually([&] { return received.load() == 1; }));
}

}  // namespace
}  // namespace tocsin
