#include "remote/relabel.h"

#include <gtest/gtest.h>

namespace tocsin::remote {
namespace {

Relabeler Make(std::vector<RelabelConfig> configs) {
  auto r = Relabeler::Compile(configs);
  EXPECT_TRUE(r.ok());
  return std::move(r).value();
}

TEST(RelabelTest, DropKeepReplaceLabeldrop) {
  RelabelConfig drop;
  drop.source_labels = {"__name__"};
  drop.regex = "go_.*";
  drop.action = "drop";
  RelabelConfig host;
  host.source_labels = {"instance"};
  host.regex = "([^:]+):.*";
  host.target_label = "host";
  RelabelConfig ld;
  ld.action = "labeldrop";
  ld.regex = "tmp_.*";
  Relabeler r = Make({drop, host, ld});
  EXPECT_EQ(r.Apply(Labels{{"__name__", "go_goroutines"}}), std::nullopt);
  auto out = r.Apply(Labels{{"__name__", "up"}, {"instance", "db-1:9100"}, {"tmp_x", "1"}});
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(*out, (Labels{{"__name__", "up"}, {"host", "db-1"}, {"instance", "db-1:9100"}}));
}

TEST(RelabelTest, HashmodMatchesPrometheus) {
  RelabelConfig hm;
  hm.source_labels = {"instance"};
  hm.action = "hashmod";
  hm.modulus = 1000;
  hm.target_label = "shard";
  // Prometheus: md5("foo") low 8 bytes big-endian % 1000.
  auto out = Make({hm}).Apply(Labels{{"__name__", "x"}, {"instance", "foo"}});
  ASSERT_TRUE(out.has_value());
  // md5("foo") = acbd18db4cc2f85cedef654fccc4a4d8; low 8 bytes 0xedef654fccc4a4d8.
  EXPECT_EQ(out->Get("shard"), std::to_string(0xedef654fccc4a4d8ull % 1000));
}

}  // namespace
}  // namespace tocsin::remote
