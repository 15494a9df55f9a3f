// Remote-Write request encoding: 1.0's prometheus.WriteRequest and 2.0's
// io.prometheus.write.v2.Request, built as libprotobuf messages (generated from
// remote/proto/*.proto, one arena per request) and compressed with snappy's block format. This
// file and its .cc are the only users of snappy and of the messages in tocsin.
//
// Input contract (the spec's MUSTs, upheld by the caller and checked in debug builds): each
// series' labels are sorted by name and unique (tocsin::Labels guarantees it) and its samples
// are in timestamp order. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent/core/clock.h"
#include "agent/core/labels.h"
#include "agent/core/status.h"
#include "agent/store/metadata.h"

namespace tocsin::remote {

struct SeriesSamples {
  Labels labels;
  std::vector<std::pair<TimestampMs, double>> samples;
};

// The uncompressed protobuf bytes of a WriteRequest holding `series`.
void EncodeWriteRequest(const std::vector<SeriesSamples>& series, std::string& out);

// The uncompressed protobuf bytes of a Remote-Write 2.0 Request: a symbols table (its first
// entry the empty string, each string once) that labels and metadata refer to, and one
// TimeSeries per series with labels_refs, samples and, where `metadata[i]` is non-null, its
// type, help and unit. `metadata` is empty or parallel to `series`.
void EncodeWriteRequestV2(const std::vector<SeriesSamples>& series,
                          const std::vector<const Metadata*>& metadata, std::string& out);

// Snappy block compression (the spec's Content-Encoding: snappy; not the framed format).
void SnappyCompress(std::string_view raw, std::string& out);
Result<std::string> SnappyUncompress(std::string_view compressed);

}  // namespace tocsin::remote
