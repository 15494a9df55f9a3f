#include "remote/write_request.h"

#include <snappy.h>

#include <bit>
#include <cassert>
#include <string_view>
#include <unordered_map>

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
// io.prometheus.write.v2 (prompb/io/prometheus/write/v2/types.proto).
constexpr uint32_t kV2RequestSymbols = 4;
constexpr uint32_t kV2RequestTimeseries = 5;
constexpr uint32_t kV2SeriesLabelsRefs = 1;
constexpr uint32_t kV2SeriesSamples = 2;
constexpr uint32_t kV2SeriesMetadata = 5;
constexpr uint32_t kV2MetadataType = 1;
constexpr uint32_t kV2MetadataHelpRef = 3;
constexpr uint32_t kV2MetadataUnitRef = 4;

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

void PutSample(std::string& out, uint32_t field, TimestampMs t, double v) {
  PutTag(out, field, kLengthDelimited);
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

// Metadata.MetricType's numbers.
uint32_t V2MetricType(MetricType t) {
  switch (t) {
    case MetricType::kCounter:
      return 1;
    case MetricType::kGauge:
      return 2;
    case MetricType::kHistogram:
      return 3;
    case MetricType::kGaugeHistogram:
      return 4;
    case MetricType::kSummary:
      return 5;
    case MetricType::kInfo:
      return 6;
    case MetricType::kStateSet:
      return 7;
    case MetricType::kUnknown:
      break;
  }
  return 0;
}

// The symbols table: index 0 is "", each other string once, in first-use order. Borrows the
// strings (they live in the series and metadata being encoded).
class Symbols {
 public:
  Symbols() { table_.push_back(""); }
  uint32_t Ref(std::string_view s) {
    if (s.empty()) return 0;
    auto [it, added] = index_.try_emplace(s, static_cast<uint32_t>(table_.size()));
    if (added) table_.push_back(s);
    return it->second;
  }
  const std::vector<std::string_view>& table() const { return table_; }

 private:
  std::unordered_map<std::string_view, uint32_t> index_;
  std::vector<std::string_view> table_;
};

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
      PutSample(out, kTimeSeriesSamples, t, v);
    }
  }
  assert(out.size() == total);
}

void EncodeWriteRequestV2(const std::vector<SeriesSamples>& series,
                          const std::vector<const Metadata*>& metadata, std::string& out) {
  assert(metadata.empty() || metadata.size() == series.size());
  Symbols symbols;
  std::string timeseries;
  std::string body;
  std::vector<uint32_t> refs;
  for (size_t i = 0; i < series.size(); ++i) {
    const SeriesSamples& s = series[i];
    body.clear();
    refs.clear();
    size_t packed = 0;
    for (const Label& l : s.labels) {
      for (std::string_view part : {std::string_view(l.name), std::string_view(l.value)}) {
        refs.push_back(symbols.Ref(part));
        packed += VarintSize(refs.back());
      }
    }
    if (!refs.empty()) {  // proto3 packs repeated scalars
      PutTag(body, kV2SeriesLabelsRefs, kLengthDelimited);
      PutVarint(body, packed);
      for (uint32_t r : refs) PutVarint(body, r);
    }
    for (size_t k = 0; k < s.samples.size(); ++k) {
      const auto& [t, v] = s.samples[k];
      assert(k == 0 || s.samples[k - 1].first < t);
      PutSample(body, kV2SeriesSamples, t, v);
    }
    if (const Metadata* md = metadata.empty() ? nullptr : metadata[i]) {
      std::string m;
      if (uint32_t type = V2MetricType(md->type); type != 0) {
        PutTag(m, kV2MetadataType, kVarint);
        PutVarint(m, type);
      }
      if (uint32_t help = symbols.Ref(md->help); help != 0) {
        PutTag(m, kV2MetadataHelpRef, kVarint);
        PutVarint(m, help);
      }
      if (uint32_t unit = symbols.Ref(md->unit); unit != 0) {
        PutTag(m, kV2MetadataUnitRef, kVarint);
        PutVarint(m, unit);
      }
      if (!m.empty()) PutString(body, kV2SeriesMetadata, m);
    }
    PutString(timeseries, kV2RequestTimeseries, body);
  }
  out.clear();
  size_t total = timeseries.size();
  for (std::string_view sym : symbols.table()) total += StringFieldSize(sym);
  out.reserve(total);
  for (std::string_view sym : symbols.table()) PutString(out, kV2RequestSymbols, sym);
  out += timeseries;
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
