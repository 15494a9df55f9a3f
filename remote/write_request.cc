#include "remote/write_request.h"

#include <snappy.h>

#include <bit>
#include <cassert>

namespace tocsin::remote {
namespace {

// Protobuf wire types.
constexpr uint32_t kVarint = 0;
constexpr uint32_t kFixed64 = 1;
constexpr uint32_t kLengthDelimited = 2;

// Field numbers of remote.proto / types.proto.
constexpr uint32_t kWriteRequestTimeseries = 1;
constexpr uint32_t kTimeSeriesLabels = 1;
constexpr uint32_t kTimeSeriesSamples = 2;
constexpr uint32_t kLabelName = 1;
constexpr uint32_t kLabelValue = 2;
constexpr uint32_t kSampleValue = 1;
constexpr uint32_t kSampleTimestamp = 2;

size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void PutTag(std::string& out, uint32_t field, uint32_t wire_type) {
  PutVarint(out, (field << 3) | wire_type);
}

size_t StringFieldSize(std::string_view s) { return 1 + VarintSize(s.size()) + s.size(); }

size_t LabelSize(const Label& l) { return StringFieldSize(l.name) + StringFieldSize(l.value); }

// Sample: value (fixed64) then timestamp (varint of the int64's two's complement). As proto3
// serializers do, a field holding its default (+0.0, 0) is left out, so the bytes equal the
// reference implementation's.
size_t SampleSize(TimestampMs t, double v) {
  return (std::bit_cast<uint64_t>(v) != 0 ? 1 + 8 : 0) +
         (t != 0 ? 1 + VarintSize(static_cast<uint64_t>(t)) : 0);
}

size_t TimeSeriesSize(const SeriesSamples& s) {
  size_t n = 0;
  for (const Label& l : s.labels) {
    size_t ls = LabelSize(l);
    n += 1 + VarintSize(ls) + ls;
  }
  for (const auto& [t, v] : s.samples) {
    size_t ss = SampleSize(t, v);
    n += 1 + VarintSize(ss) + ss;
  }
  return n;
}

void PutString(std::string& out, uint32_t field, std::string_view s) {
  PutTag(out, field, kLengthDelimited);
  PutVarint(out, s.size());
  out.append(s);
}

}  // namespace

void EncodeWriteRequest(const std::vector<SeriesSamples>& series, std::string& out) {
  out.clear();
  size_t total = 0;
  for (const SeriesSamples& s : series) {
    size_t ts = TimeSeriesSize(s);
    total += 1 + VarintSize(ts) + ts;
  }
  out.reserve(total);
  for (const SeriesSamples& s : series) {
    PutTag(out, kWriteRequestTimeseries, kLengthDelimited);
    PutVarint(out, TimeSeriesSize(s));
    for (const Label& l : s.labels) {
      PutTag(out, kTimeSeriesLabels, kLengthDelimited);
      PutVarint(out, LabelSize(l));
      PutString(out, kLabelName, l.name);
      PutString(out, kLabelValue, l.value);
    }
    for (size_t i = 0; i < s.samples.size(); ++i) {
      const auto& [t, v] = s.samples[i];
      assert(i == 0 || s.samples[i - 1].first < t);
      PutTag(out, kTimeSeriesSamples, kLengthDelimited);
      PutVarint(out, SampleSize(t, v));
      if (uint64_t bits = std::bit_cast<uint64_t>(v); bits != 0) {
        PutTag(out, kSampleValue, kFixed64);
        for (int b = 0; b < 8; ++b) out.push_back(static_cast<char>((bits >> (8 * b)) & 0xff));
      }
      if (t != 0) {
        PutTag(out, kSampleTimestamp, kVarint);
        PutVarint(out, static_cast<uint64_t>(t));
      }
    }
  }
  assert(out.size() == total);
}

void SnappyCompress(std::string_view raw, std::string& out) {
  out.clear();
  snappy::Compress(raw.data(), raw.size(), &out);
}

Result<std::string> SnappyUncompress(std::string_view compressed) {
  std::string out;
  if (!snappy::Uncompress(compressed.data(), compressed.size(), &out)) {
    return InvalidArgument("not a snappy block");
  }
  return out;
}

}  // namespace tocsin::remote
