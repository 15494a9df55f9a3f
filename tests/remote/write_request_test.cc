#include "remote/write_request.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <set>

#include "agent/store/queryable.h"
#include "remote.pb.h"
#include "write_v2.pb.h"

namespace tocsin::remote {
namespace {

std::vector<SeriesSamples> Example() {
  return {
      {Labels{{"__name__", "up"}, {"job", "node"}, {"instance", "db-1:9100"}},
       {{1700000000000, 1}, {1700000015000, 0}}},
      {Labels{{"__name__", "node_load1"}}, {{-5, 0.25}, {1700000000123, StaleNaN()}}},
  };
}

TEST(WriteRequestTest, RealProtobufDecodesWhatTocsinEncodes) {
  std::string raw;
  EncodeWriteRequest(Example(), raw);
  prometheus::WriteRequest req;
  ASSERT_TRUE(req.ParseFromString(raw));
  ASSERT_EQ(req.timeseries_size(), 2);
  const auto& ts = req.timeseries(0);
  ASSERT_EQ(ts.labels_size(), 3);
  // Sorted by name, as the spec requires.
  EXPECT_EQ(ts.labels(0).name(), "__name__");
  EXPECT_EQ(ts.labels(1).name(), "instance");
  EXPECT_EQ(ts.labels(1).value(), "db-1:9100");
  EXPECT_EQ(ts.labels(2).name(), "job");
  ASSERT_EQ(ts.samples_size(), 2);
  EXPECT_EQ(ts.samples(0).timestamp(), 1700000000000);
  EXPECT_EQ(ts.samples(1).value(), 0);
  const auto& second = req.timeseries(1);
  EXPECT_EQ(second.samples(0).timestamp(), -5);
  EXPECT_EQ(second.samples(0).value(), 0.25);
  // The stale marker keeps its exact NaN bits.
  EXPECT_EQ(std::bit_cast<uint64_t>(second.samples(1).value()), kStaleNaNBits);
}

// Golden bytes: the request equals a message built field by field with the generated classes.
TEST(WriteRequestTest, BytesEqualProtobufSerializer) {
  prometheus::WriteRequest req;
  for (const SeriesSamples& s : Example()) {
    auto* ts = req.add_timeseries();
    for (const Label& l : s.labels) {
      auto* pl = ts->add_labels();
      pl->set_name(l.name);
      pl->set_value(l.value);
    }
    for (const auto& [t, v] : s.samples) {
      auto* ps = ts->add_samples();
      ps->set_value(v);
      ps->set_timestamp(t);
    }
  }
  std::string golden;
  ASSERT_TRUE(req.SerializeToString(&golden));
  std::string raw;
  EncodeWriteRequest(Example(), raw);
  EXPECT_EQ(raw, golden);
}

TEST(WriteRequestTest, FixedGoldenBytes) {
  std::string raw;
  EncodeWriteRequest({{Labels{{"__name__", "a"}}, {{1, 2.0}}}}, raw);
  // timeseries{labels{name:"__name__" value:"a"} samples{value:2 timestamp:1}}
  const std::string golden(
      "\x0a\x1c\x0a\x0d\x0a\x08__name__\x12\x01"
      "a"
      "\x12\x0b\x09\x00\x00\x00\x00\x00\x00\x00\x40\x10\x01",
      30);
  // Sanity of the hand-written golden: the real parser agrees.
  prometheus::WriteRequest req;
  ASSERT_TRUE(req.ParseFromString(golden));
  EXPECT_EQ(raw, golden);
}

TEST(WriteRequestTest, SnappyBlockRoundTrip) {
  std::string raw;
  EncodeWriteRequest(Example(), raw);
  std::string compressed;
  SnappyCompress(raw, compressed);
  auto back = SnappyUncompress(compressed);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, raw);
  EXPECT_FALSE(SnappyUncompress("\xff\xff\xff\xff garbage").ok());
}

TEST(WriteRequestTest, EmptyRequestIsEmpty) {
  std::string raw = "x";
  EncodeWriteRequest({}, raw);
  EXPECT_TRUE(raw.empty());
}

// Remote-Write 2.0: the real protobuf library reads the symbols table, the label references,
// the samples (stale marker bits kept) and the metadata back.
TEST(WriteRequestTest, V2RequestDecodesWithSymbolsAndMetadata) {
  std::vector<SeriesSamples> series = Example();
  series.push_back({Labels{{"__name__", "up"}, {"job", "node"}, {"instance", "db-2:9100"}},
                    {{1700000000000, 1}}});
  Metadata gauge{MetricType::kGauge, "1 if the target is up.", ""};
  Metadata load{MetricType::kGauge, "1m load average.", "ratio"};
  std::string raw;
  EncodeWriteRequestV2(series, {&gauge, &load, &gauge}, raw);
  io::prometheus::write::v2::Request req;
  ASSERT_TRUE(req.ParseFromString(raw));
  ASSERT_GE(req.symbols_size(), 1);
  EXPECT_EQ(req.symbols(0), "");
  std::set<std::string> distinct(req.symbols().begin(), req.symbols().end());
  EXPECT_EQ(distinct.size(), static_cast<size_t>(req.symbols_size()));  // each string once
  ASSERT_EQ(req.timeseries_size(), 3);
  auto labels = [&](const io::prometheus::write::v2::TimeSeries& ts) {
    std::vector<std::pair<std::string, std::string>> out;
    EXPECT_EQ(ts.labels_refs_size() % 2, 0);
    for (int i = 0; i + 1 < ts.labels_refs_size(); i += 2) {
      out.emplace_back(req.symbols(ts.labels_refs(i)), req.symbols(ts.labels_refs(i + 1)));
    }
    return out;
  };
  using Pairs = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(labels(req.timeseries(0)),
            (Pairs{{"__name__", "up"}, {"instance", "db-1:9100"}, {"job", "node"}}));
  EXPECT_EQ(labels(req.timeseries(1)), (Pairs{{"__name__", "node_load1"}}));
  EXPECT_EQ(labels(req.timeseries(2)),
            (Pairs{{"__name__", "up"}, {"instance", "db-2:9100"}, {"job", "node"}}));
  const auto& first = req.timeseries(0);
  ASSERT_EQ(first.samples_size(), 2);
  EXPECT_EQ(first.samples(0).timestamp(), 1700000000000);
  EXPECT_EQ(first.samples(0).value(), 1);
  EXPECT_EQ(first.metadata().type(), io::prometheus::write::v2::Metadata::METRIC_TYPE_GAUGE);
  EXPECT_EQ(req.symbols(first.metadata().help_ref()), "1 if the target is up.");
  EXPECT_EQ(first.metadata().unit_ref(), 0u);
  const auto& second = req.timeseries(1);
  EXPECT_EQ(second.samples(0).timestamp(), -5);
  EXPECT_EQ(std::bit_cast<uint64_t>(second.samples(1).value()), kStaleNaNBits);
  EXPECT_EQ(req.symbols(second.metadata().unit_ref()), "ratio");
  // Without metadata: no metadata message at all (every field at its default).
  EncodeWriteRequestV2(Example(), {}, raw);
  ASSERT_TRUE(req.ParseFromString(raw));
  EXPECT_FALSE(req.timeseries(0).has_metadata());
  EXPECT_EQ(req.symbols(0), "");
}

// What 2.0's symbols table buys on a node_exporter-like batch: repeated label names and values
// are sent once. Sizes are deterministic; both are printed for the note.
TEST(WriteRequestTest, V2IsSmallerThanV1ForRepeatedLabels) {
  std::vector<SeriesSamples> series;
  for (int cpu = 0; cpu < 64; ++cpu) {
    for (const char* mode :
         {"idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"}) {
      series.push_back({Labels{{"__name__", "node_cpu_seconds_total"},
                               {"cpu", std::to_string(cpu)},
                               {"instance", "db-1.example.org:9100"},
                               {"job", "node"},
                               {"mode", mode}},
                        {{1700000000000, 1234.5 + cpu}}});
    }
  }
  std::string v1, v2, v1z, v2z;
  EncodeWriteRequest(series, v1);
  EncodeWriteRequestV2(series, {}, v2);
  SnappyCompress(v1, v1z);
  SnappyCompress(v2, v2z);
  std::printf("512 series x 1 sample: 1.0 %zu bytes (%zu snappy), 2.0 %zu bytes (%zu snappy)\n",
              v1.size(), v1z.size(), v2.size(), v2z.size());
  EXPECT_LT(v2.size() * 2, v1.size());
  EXPECT_LT(v2z.size(), v1z.size());
}

}  // namespace
}  // namespace tocsin::remote
