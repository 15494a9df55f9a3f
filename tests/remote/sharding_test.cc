#include "remote/sharding.h"

#include <gtest/gtest.h>

#include <map>

namespace tocsin::remote {
namespace {

TEST(ShardingTest, ShardCountFollowsBacklog) {
  EXPECT_EQ(ShardsFor(0, 500, 1, 50), 1u);
  EXPECT_EQ(ShardsFor(501, 500, 1, 50), 2u);
  EXPECT_EQ(ShardsFor(1'000'000, 500, 1, 50), 50u);
  EXPECT_EQ(ShardsFor(10, 500, 3, 50), 3u);
}

// Every series lands on one shard, and reading each shard's requests in order gives every
// series' samples in the order they were read (thus in timestamp order).
TEST(ShardingTest, OrderHoldsPerSeriesAcrossRequests) {
  std::vector<RoundSeries> series;
  for (int i = 0; i < 37; ++i) {
    Labels l{{"__name__", "m"}, {"i", std::to_string(i)}};
    series.push_back({l, l.Hash()});
  }
  std::vector<RoundSample> samples;
  for (int t = 0; t < 50; ++t) {
    for (uint32_t s = 0; s < series.size(); ++s) samples.push_back({s, t * 1000, double(t)});
  }
  auto shards = ShardRound(series, samples, 4, 64);
  ASSERT_EQ(shards.size(), 4u);
  std::map<std::string, size_t> shard_of;
  std::map<std::string, std::vector<TimestampMs>> seen;
  size_t total = 0;
  for (size_t sh = 0; sh < shards.size(); ++sh) {
    for (const auto& request : shards[sh]) {
      size_t in_request = 0;
      for (const SeriesSamples& ss : request) {
        std::string key = ss.labels.ToString();
        auto [it, added] = shard_of.emplace(key, sh);
        EXPECT_EQ(it->second, sh) << key << " on two shards";
        for (const auto& [t, v] : ss.samples) seen[key].push_back(t);
        in_request += ss.samples.size();
      }
      EXPECT_LE(in_request, 64u);
      total += in_request;
    }
  }
  EXPECT_EQ(total, samples.size());
  ASSERT_EQ(seen.size(), 37u);
  for (const auto& [key, ts] : seen) {
    ASSERT_EQ(ts.size(), 50u) << key;
    EXPECT_TRUE(std::is_sorted(ts.begin(), ts.end())) << key;
  }
}

}  // namespace
}  // namespace tocsin::remote
