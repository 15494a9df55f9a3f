// The remote_write queue's record format: one record per store commit, holding the label sets
// of the series the current segment has not seen yet (under small per-segment refs) and the
// commit's samples by ref. A segment is self-contained: its first record that uses a ref also
// defines it, so dropping old segments never leaves a ref without labels.
//
// Frame on disk: u32 LE payload length, u32 LE CRC-32C of (sample count + payload),
// u32 LE sample count, payload. Payload: varint n_series, n_series x (varint ref, varint
// n_labels, n_labels x (varint len, name, varint len, value)), varint n_samples, n_samples x
// (varint ref, zigzag varint timestamp delta from the previous sample of the record, u64 LE
// value bits). Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent/core/clock.h"
#include "agent/core/labels.h"
#include "agent/core/status.h"

namespace tocsin::remote {

inline constexpr size_t kFrameHeaderBytes = 12;
// A frame longer than this is corruption (a commit of 1M samples is ~20 MB).
inline constexpr uint32_t kMaxPayloadBytes = 256u << 20;

struct SeriesDefinition {
  uint32_t ref = 0;
  Labels labels;
};

struct RecordSample {
  uint32_t ref = 0;
  TimestampMs t = 0;
  double v = 0;
};

struct Record {
  std::vector<SeriesDefinition> series;
  std::vector<RecordSample> samples;
};

uint32_t Crc32c(uint32_t crc, std::string_view data);

// Appends the whole frame of `record` to `out`.
void EncodeRecord(const Record& record, std::string& out);

// Decodes a payload (the bytes after the frame header). A malformed payload is an error.
Status DecodeRecord(std::string_view payload, Record& out);

// Frame header fields; false when `header` (kFrameHeaderBytes) is implausible.
struct FrameHeader {
  uint32_t payload_bytes = 0;
  uint32_t crc = 0;
  uint32_t samples = 0;
};
bool ParseFrameHeader(std::string_view header, FrameHeader& out);
// True when the CRC of `samples` + `payload` matches the header's.
bool FrameCrcMatches(const FrameHeader& header, std::string_view payload);

}  // namespace tocsin::remote
