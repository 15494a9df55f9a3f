// BitWriter / BitReader: MSB-first bit streams over a byte buffer, used by the chunk codec.
//
// Plain values, not synchronised. A BitWriter owns its buffer; a BitReader borrows one that
// must outlive it. Reading past the end yields zero bits (callers bound reads by sample count).
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

namespace tocsin {

class BitWriter {
 public:
  // Appends the low `n` bits of `v` (0 <= n <= 64), most significant first.
  void Write(uint64_t v, int n) {
    while (n > 0) {
      int used = static_cast<int>(nbits_ & 7);
      if (used == 0) buf_.push_back(0);
      int free = 8 - used;
      int take = n < free ? n : free;
      uint64_t bits = (v >> (n - take)) & ((uint64_t{1} << take) - 1);
      buf_.back() |= static_cast<uint8_t>(bits << (free - take));
      n -= take;
      nbits_ += take;
    }
  }
  void WriteBit(bool b) { Write(b ? 1 : 0, 1); }

  uint64_t bit_size() const { return nbits_; }
  const std::vector<uint8_t>& bytes() const { return buf_; }
  std::vector<uint8_t>& mutable_bytes() { return buf_; }
  void Clear() {
    buf_.clear();
    nbits_ = 0;
  }

 private:
  std::vector<uint8_t> buf_;
  uint64_t nbits_ = 0;
};

class BitReader {
 public:
  BitReader(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  // Reads `n` bits (0 <= n <= 64).
  uint64_t Read(int n) {
    if (n == 0) return 0;
    uint64_t byte = pos_ >> 3;
    int off = static_cast<int>(pos_ & 7);
    uint64_t out;
    if (byte + 8 <= size_) {
      uint64_t w;
      std::memcpy(&w, data_ + byte, 8);
      w = __builtin_bswap64(w);
      if (off + n <= 64) {
        out = (w << off) >> (64 - n);
      } else {
        // n > 64 - off: take the rest from the 9th byte.
        uint64_t hi = (w << off) >> (64 - n);
        int rest = off + n - 64;
        uint8_t next = byte + 8 < size_ ? data_[byte + 8] : 0;
        out = hi | (static_cast<uint64_t>(next) >> (8 - rest));
      }
    } else {
      out = 0;
      for (int i = 0; i < n; ++i) {
        uint64_t p = pos_ + i;
        uint64_t b = p >> 3;
        int bit = b < size_ ? (data_[b] >> (7 - (p & 7))) & 1 : 0;
        out = (out << 1) | static_cast<uint64_t>(bit);
      }
    }
    pos_ += n;
    return out;
  }
  bool ReadBit() { return Read(1) != 0; }
  // Counts leading one bits, consuming them and the terminating zero, up to `max` ones
  // (then nothing more is consumed). Returns the count.
  int ReadUnary(int max) {
    int q = 0;
    while (q < max && ReadBit()) ++q;
    return q;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  uint64_t pos_ = 0;
};

}  // namespace tocsin
