// XorChunk: a compressed run of (timestamp, value) samples, the unit of storage and retention.
//
// Encoding (per chunk, samples in append order; see xor_chunk.cc for the bit layout):
//  - timestamps: the first is kept in the header; then each delta is predicted from a smoothed
//    previous delta (delta-of-delta when the interval is steady) and the residual is Rice-coded
//    with a parameter that adapts to the recent residual size, so regular series cost 1 bit per
//    timestamp and millisecond jitter costs about log2(jitter) + 2 bits;
//  - values: either Gorilla XOR (Facebook's VLDB'15 scheme, as in Prometheus's XOR chunk) or, while
//    every value is a decimal with at most 4 fraction digits (integers, counters, "12.34"
//    gauges), the scaled integers' deltas or deltas-of-deltas, Rice-coded; values that do not fit
//    are escaped as raw 64-bit patterns. Every double round-trips bit for bit (NaN payloads, the
//    stale marker, -0.0, ±Inf).
// Timestamps need not increase (the store rejects out-of-order samples; the codec does not care).
//
// Thread-safety: none; the owning series guards a chunk with its lock. A sealed chunk is
// immutable and may be read by many iterators at once. Iterators borrow the chunk.
#pragma once

#include <bit>
#include <cstdint>
#include <memory>
#include <vector>

#include "agent/core/clock.h"
#include "agent/store/bit_stream.h"
#include "agent/store/queryable.h"

namespace tocsin {

// A borrowed view of encoded samples (from a sealed chunk or a head chunk under its lock).
struct ChunkView {
  const uint8_t* data = nullptr;
  size_t size = 0;
  uint32_t count = 0;
  TimestampMs first_t = 0;
  int8_t mode = -1;
};

// Decodes a ChunkView sample by sample. Borrows the bytes.
class ChunkIterator {
 public:
  // The decoder's state between two samples. Resuming from it is valid on the same encoded
  // bytes or on a longer encoding with the same prefix (a head chunk that only had samples
  // appended since; see XorChunkAppender::epoch), even if the bytes moved.
  struct State {
    uint64_t bit_pos = 0;
    uint32_t i = 0;  // samples decoded
    TimestampMs t = 0;
    bool raw = false;
    int64_t pred_delta = 0;
    uint64_t t_acc = 0;
    uint64_t v_bits = 0;
    int lead = -1, trail = 0;
    int64_t m = 0;
    int64_t m_delta = 0;
    uint64_t v_acc = 0, err_delta = 0, err_dod = 0;
  };

  explicit ChunkIterator(const ChunkView& c);
  // Resumes after `s.i` samples (from state()).
  ChunkIterator(const ChunkView& c, const State& s);
  State state() const;
  // Advances to the next sample; false at the end.
  bool Next();
  // Decodes the samples after the current one (the first sample on a fresh iterator): those
  // before `mint` are skipped, those in [mint, maxt] appended to `out`; stops after `maxt`.
  // When a sample was skipped, *before_mint (if not null) receives the state after the last
  // skipped one (a cursor to resume a later read from). Returns whether any sample was skipped.
  // One call decodes a whole window, which lets the decoder keep its state in registers.
  bool DecodeRange(TimestampMs mint, TimestampMs maxt, std::vector<Sample>& out,
                   State* before_mint);
  TimestampMs t() const { return t_; }
  // Materialised on demand, so that skipping samples (before a range) costs no conversion.
  double v() const {
    if (c_.mode < 0 || raw_) return std::bit_cast<double>(v_bits_);
    double m = static_cast<double>(m_);
    return c_.mode == 0 ? m : m / kPow10[c_.mode];  // exact: as the encoder checked
  }

 private:
  static constexpr double kPow10[5] = {1, 10, 100, 1000, 10000};
  bool NextInline();

  ChunkView c_;
  BitReader r_;
  uint32_t i_ = 0;
  TimestampMs t_ = 0;
  bool raw_ = false;  // decimal mode: the current value was escaped (raw bits in v_bits_)
  int64_t pred_delta_ = 0;
  uint64_t t_acc_ = 0;
  uint64_t v_bits_ = 0;  // XOR mode: previous value; decimal mode: an escaped raw value
  int lead_ = -1, trail_ = 0;
  int64_t m_ = 0;  // decimal mode: previous scaled integer, its delta, error trackers
  int64_t m_delta_ = 0;
  uint64_t v_acc_ = 0, err_delta_ = 0, err_dod_ = 0;
};

// An immutable, compact chunk (what sealing a head chunk produces).
class XorChunk {
 public:
  XorChunk() = default;

  uint32_t count() const { return count_; }
  TimestampMs min_t() const { return min_t_; }
  TimestampMs max_t() const { return max_t_; }
  // Heap bytes of the encoded payload and of the header.
  size_t payload_bytes() const { return size_; }
  size_t memory_bytes() const { return sizeof(XorChunk) + size_; }
  int value_mode() const { return mode_; }

  ChunkView view() const { return {data_.get(), size_, count_, first_t_, mode_}; }

 private:
  friend class XorChunkAppender;
  std::unique_ptr<uint8_t[]> data_;
  uint32_t size_ = 0;
  uint32_t count_ = 0;
  TimestampMs first_t_ = 0;
  TimestampMs min_t_ = 0;
  TimestampMs max_t_ = 0;
  int8_t mode_ = -1;  // -1 = XOR; 0..4 = decimal with that many fraction digits
};

// The appendable head chunk: encoder state plus a growing buffer.
class XorChunkAppender {
 public:
  XorChunkAppender() = default;

  void Append(TimestampMs t, double v);
  uint32_t count() const { return count_; }
  bool empty() const { return count_ == 0; }
  TimestampMs min_t() const { return min_t_; }
  TimestampMs max_t() const { return max_t_; }
  size_t memory_bytes() const { return sizeof(*this) + w_.bytes().capacity(); }
  // Changes whenever the encoding restarts (Seal, Reset, a re-encode to another value mode);
  // between two changes Append only extends the encoding, so decoder states stay valid.
  uint64_t epoch() const { return epoch_; }

  // Valid until the next Append/Seal/Reset.
  ChunkView view() const { return {w_.bytes().data(), w_.bytes().size(), count_, first_t_, mode_}; }
  // Moves the samples out as a sealed chunk and resets the appender.
  XorChunk Seal();
  void Reset();

 private:
  void AppendEncoded(TimestampMs t, double v);
  void EncodeTimestamp(TimestampMs t);
  void EncodeValueXor(uint64_t bits);
  void EncodeValueDecimal(double v);
  void Reencode(int mode);

  BitWriter w_;
  uint32_t count_ = 0;
  TimestampMs first_t_ = 0;
  TimestampMs min_t_ = 0;
  TimestampMs max_t_ = 0;
  int8_t mode_ = -1;
  // Timestamp state.
  TimestampMs last_t_ = 0;
  int64_t pred_delta_ = 0;
  uint64_t t_acc_ = 0;
  // XOR state.
  uint64_t v_bits_ = 0;
  int lead_ = -1, trail_ = 0;
  // Decimal state.
  int64_t m_ = 0;
  int64_t m_delta_ = 0;
  uint64_t v_acc_ = 0, err_delta_ = 0, err_dod_ = 0;
  uint32_t escapes_ = 0;
  uint64_t epoch_ = 0;
};

// Exposed for tests: the decimal mode (0..4) that represents `v` exactly, or -1.
int DecimalModeOf(double v);

}  // namespace tocsin
