// Sharding of one send round (the spec's "sharding by series so order holds"): every sample of
// a series goes to the same shard, in the order read from the queue (the store's commit order,
// thus timestamp order); a shard's samples are cut into requests of at most
// max_samples_per_send samples, sent one after the other. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <vector>

#include "remote/write_request.h"

namespace tocsin::remote {

// One sample of a round: `series` indexes the round's label sets.
struct RoundSample {
  uint32_t series = 0;
  TimestampMs t = 0;
  double v = 0;
};

struct RoundSeries {
  Labels labels;
  uint64_t hash = 0;  // of the final labels: picks the shard
};

// The shard count for `samples` pending samples: enough shards for one full request each,
// within [min_shards, max_shards].
size_t ShardsFor(size_t samples, size_t max_samples_per_send, size_t min_shards, size_t max_shards);

// The requests of each shard (outer index = shard), in send order.
std::vector<std::vector<std::vector<SeriesSamples>>> ShardRound(
    const std::vector<RoundSeries>& series, const std::vector<RoundSample>& samples, size_t shards,
    size_t max_samples_per_send);

}  // namespace tocsin::remote
