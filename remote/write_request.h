// Remote-Write 1.0 request encoding: prometheus.WriteRequest (protobuf wire format, written
// directly: no message objects, no arena) compressed with snappy's block format. This file and
// its .cc are the only users of snappy in tocsin; the protobuf schema is remote/proto/*.proto,
// which the tests compile with protoc to decode what is produced here.
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

namespace tocsin::remote {

struct SeriesSamples {
  Labels labels;
  std::vector<std::pair<TimestampMs, double>> samples;
};

// The uncompressed protobuf bytes of a WriteRequest holding `series`.
void EncodeWriteRequest(const std::vector<SeriesSamples>& series, std::string& out);

// Snappy block compression (the spec's Content-Encoding: snappy; not the framed format).
void SnappyCompress(std::string_view raw, std::string& out);
Result<std::string> SnappyUncompress(std::string_view compressed);

}  // namespace tocsin::remote
