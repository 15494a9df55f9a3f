#include "remote/record_codec.h"

#include <array>
#include <bit>
#include <cstring>

namespace tocsin::remote {
namespace {

constexpr std::array<uint32_t, 256> MakeCrcTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0x82f63b78u ^ (c >> 1) : c >> 1;  // Castagnoli
    table[i] = c;
  }
  return table;
}
constexpr std::array<uint32_t, 256> kCrcTable = MakeCrcTable();

void PutU32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void PutU64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
uint32_t GetU32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}
void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}
void PutString(std::string& out, std::string_view s) {
  PutVarint(out, s.size());
  out.append(s);
}

class Cursor {
 public:
  explicit Cursor(std::string_view data) : data_(data) {}
  bool Varint(uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= data_.size()) return false;
      auto b = static_cast<unsigned char>(data_[pos_++]);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return true;
    }
    return false;
  }
  bool String(std::string& s) {
    uint64_t n = 0;
    if (!Varint(n) || n > data_.size() - pos_) return false;
    s.assign(data_.substr(pos_, n));
    pos_ += n;
    return true;
  }
  bool U64(uint64_t& v) {
    if (data_.size() - pos_ < 8) return false;
    v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(data_[pos_ + i]);
    pos_ += 8;
    return true;
  }
  bool AtEnd() const { return pos_ == data_.size(); }
  size_t remaining() const { return data_.size() - pos_; }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

}  // namespace

uint32_t Crc32c(uint32_t crc, std::string_view data) {
  crc = ~crc;
  for (unsigned char c : data) crc = kCrcTable[(crc ^ c) & 0xff] ^ (crc >> 8);
  return ~crc;
}

void EncodeRecord(const Record& record, std::string& out) {
  const size_t start = out.size();
  out.append(kFrameHeaderBytes, '\0');
  PutVarint(out, record.series.size());
  for (const SeriesDefinition& s : record.series) {
    PutVarint(out, s.ref);
    PutVarint(out, s.labels.size());
    for (const Label& l : s.labels) {
      PutString(out, l.name);
      PutString(out, l.value);
    }
  }
  PutVarint(out, record.samples.size());
  TimestampMs prev = 0;
  for (const RecordSample& s : record.samples) {
    PutVarint(out, s.ref);
    int64_t delta = s.t - prev;
    prev = s.t;
    PutVarint(out, (static_cast<uint64_t>(delta) << 1) ^ static_cast<uint64_t>(delta >> 63));
    PutU64(out, std::bit_cast<uint64_t>(s.v));
  }
  const size_t payload_bytes = out.size() - start - kFrameHeaderBytes;
  std::string header;
  PutU32(header, static_cast<uint32_t>(payload_bytes));
  std::string count;
  PutU32(count, static_cast<uint32_t>(record.samples.size()));
  uint32_t crc = Crc32c(0, count);
  crc = Crc32c(crc, std::string_view(out).substr(start + kFrameHeaderBytes));
  PutU32(header, crc);
  header += count;
  std::memcpy(out.data() + start, header.data(), kFrameHeaderBytes);
}

bool ParseFrameHeader(std::string_view header, FrameHeader& out) {
  if (header.size() < kFrameHeaderBytes) return false;
  out.payload_bytes = GetU32(header.data());
  out.crc = GetU32(header.data() + 4);
  out.samples = GetU32(header.data() + 8);
  return out.payload_bytes > 0 && out.payload_bytes <= kMaxPayloadBytes;
}

bool FrameCrcMatches(const FrameHeader& header, std::string_view payload) {
  std::string count;
  PutU32(count, header.samples);
  return Crc32c(Crc32c(0, count), payload) == header.crc;
}

Status DecodeRecord(std::string_view payload, Record& out) {
  out.series.clear();
  out.samples.clear();
  Cursor c(payload);
  uint64_t n = 0;
  auto bad = [](std::string_view what) {
    return InvalidArgument("malformed queue record: " + std::string(what));
  };
  if (!c.Varint(n) || n > c.remaining()) return bad("series count");
  out.series.reserve(n);
  std::vector<Label> pairs;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t ref = 0, labels = 0;
    if (!c.Varint(ref) || ref > UINT32_MAX || !c.Varint(labels) || labels > c.remaining()) {
      return bad("series header");
    }
    pairs.clear();
    for (uint64_t k = 0; k < labels; ++k) {
      Label l;
      if (!c.String(l.name) || !c.String(l.value)) return bad("label");
      pairs.push_back(std::move(l));
    }
    out.series.push_back({static_cast<uint32_t>(ref), Labels::FromUnsorted(pairs)});
  }
  if (!c.Varint(n) || n > c.remaining()) return bad("sample count");
  out.samples.reserve(n);
  TimestampMs prev = 0;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t ref = 0, zz = 0, bits = 0;
    if (!c.Varint(ref) || ref > UINT32_MAX || !c.Varint(zz) || !c.U64(bits)) return bad("sample");
    int64_t delta = static_cast<int64_t>(zz >> 1) ^ -static_cast<int64_t>(zz & 1);
    prev += delta;
    out.samples.push_back({static_cast<uint32_t>(ref), prev, std::bit_cast<double>(bits)});
  }
  if (!c.AtEnd()) return bad("trailing bytes");
  return Status::Ok();
}

}  // namespace tocsin::remote
