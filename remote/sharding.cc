#include "remote/sharding.h"

#include <algorithm>

namespace tocsin::remote {

size_t ShardsFor(size_t samples, size_t max_samples_per_send, size_t min_shards,
                 size_t max_shards) {
  size_t wanted = (samples + max_samples_per_send - 1) / std::max<size_t>(1, max_samples_per_send);
  return std::clamp(wanted, std::max<size_t>(1, min_shards), std::max<size_t>(1, max_shards));
}

std::vector<std::vector<std::vector<SeriesSamples>>> ShardRound(
    const std::vector<RoundSeries>& series, const std::vector<RoundSample>& samples, size_t shards,
    size_t max_samples_per_send) {
  shards = std::max<size_t>(1, shards);
  max_samples_per_send = std::max<size_t>(1, max_samples_per_send);
  // Per shard: the samples of each of its series in read order; series in first-seen order.
  struct ShardState {
    std::vector<uint32_t> order;  // series indexes, first-seen order
  };
  std::vector<ShardState> state(shards);
  std::vector<std::vector<std::pair<TimestampMs, double>>> per_series(series.size());
  for (const RoundSample& s : samples) {
    auto& list = per_series[s.series];
    if (list.empty()) state[series[s.series].hash % shards].order.push_back(s.series);
    list.emplace_back(s.t, s.v);
  }
  std::vector<std::vector<std::vector<SeriesSamples>>> out(shards);
  for (size_t shard = 0; shard < shards; ++shard) {
    auto& requests = out[shard];
    size_t in_request = max_samples_per_send;  // forces a first request
    for (uint32_t idx : state[shard].order) {
      const auto& list = per_series[idx];
      size_t i = 0;
      while (i < list.size()) {
        if (in_request == max_samples_per_send) {
          requests.emplace_back();
          in_request = 0;
        }
        size_t take = std::min(list.size() - i, max_samples_per_send - in_request);
        SeriesSamples ss;
        ss.labels = series[idx].labels;
        ss.samples.assign(list.begin() + static_cast<ptrdiff_t>(i),
                          list.begin() + static_cast<ptrdiff_t>(i + take));
        requests.back().push_back(std::move(ss));
        i += take;
        in_request += take;
      }
    }
  }
  return out;
}

}  // namespace tocsin::remote
