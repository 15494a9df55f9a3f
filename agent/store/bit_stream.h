// BitWriter / BitReader: MSB-first bit streams over a byte buffer, used by the chunk codec.
//
// Plain values, not synchronised. A BitWriter owns its buffer; a BitReader borrows one that
// must outlive it. Reading past the end yields zero bits (callers bound reads by sample count).
#pragma once

#include <bit>
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
  BitReader(const uint8_t* data, size_t size, uint64_t bit_pos = 0)
      : data_(data), size_(size), pos_(bit_pos) {}

  // Bits consumed so far (a position to resume from with the constructor).
  uint64_t bit_pos() const { return pos_; }

  // Reads `n` bits (0 <= n <= 64).
  uint64_t Read(int n) {
    if (n == 0) return 0;
    uint64_t out = Peek64() >> (64 - n);
    pos_ += static_cast<uint64_t>(n);
    return out;
  }
  bool ReadBit() {
    uint64_t byte = pos_ >> 3;
    bool bit = byte < size_ && ((data_[byte] >> (7 - (pos_ & 7))) & 1) != 0;
    ++pos_;
    return bit;
  }
  // Counts leading one bits, consuming them and the terminating zero, up to `max` ones
  // (then nothing more is consumed). Returns the count. 0 <= max <= 63.
  int ReadUnary(int max) {
    int q = std::countl_one(Peek64());
    if (q >= max) {
      pos_ += static_cast<uint64_t>(max);
      return max;
    }
    pos_ += static_cast<uint64_t>(q) + 1;
    return q;
  }
  // Consumes `n` bits (typically after Peek64).
  void Skip(int n) { pos_ += static_cast<uint64_t>(n); }

  // The next 64 bits, MSB first, without consuming them (zeros past the end).
  uint64_t Peek64() const {
    uint64_t byte = pos_ >> 3;
    int off = static_cast<int>(pos_ & 7);
    if (byte + 9 <= size_) {
      uint64_t w = Load64(data_ + byte);
      if (off == 0) return w;
      return (w << off) | (static_cast<uint64_t>(data_[byte + 8]) >> (8 - off));
    }
    if (byte >= size_) return 0;
    uint64_t w;
    if (size_ >= 8) {
      // Near the end (where a head chunk's newest samples are): the last 8 bytes, shifted so
      // that the bytes past the end read as zeros.
      w = Load64(data_ + size_ - 8) << (8 * (byte + 8 - size_));
    } else {
      w = 0;
      for (uint64_t i = 0; byte + i < size_; ++i) {
        w |= static_cast<uint64_t>(data_[byte + i]) << (56 - 8 * i);
      }
    }
    return w << off;
  }

 private:
  static uint64_t Load64(const uint8_t* p) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    return __builtin_bswap64(w);
  }

  const uint8_t* data_;
  size_t size_;
  uint64_t pos_;
};

}  // namespace tocsin
