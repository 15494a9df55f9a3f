// Bit layout of a chunk (header fields first_t, count and value mode live outside the bit stream):
//
// sample 0   timestamp: none (first_t).  value: XOR mode: 64 raw bits; decimal mode:
// Varbits(zz(m)). sample 1   timestamp: Varbits(zz(delta)). sample >=2 timestamp: Rice_k(zz(delta -
// predicted delta)); the prediction is the previous
//            prediction moved 1/4 of the way to the last delta (so a steady interval predicts
//            exactly and jitter averages out); k adapts to a moving mean of the residuals.
// value (>=1) XOR mode: Gorilla: '0' same value | '10' bits in the previous window |
//            '11' 5-bit leading zeros, 6-bit length, bits (as Prometheus's chunkenc XOR).
//            Decimal mode e (value = m / 10^e exactly): Rice_k(zz(m - prediction)) where the
//            prediction is the previous m, or previous m + previous delta (counters), whichever
//            had the smaller moving error so far; an escape code followed by 64 raw bits stores a
//            value that is not such a decimal (NaN, the stale marker, -0.0, ±Inf, 0.1+0.2).
// Varbits(x) = 7-bit bit width L, then L bits.  zz = zigzag.
// Rice_k(x)  = q = x >> k ones, a zero, k low bits; when q >= 20: 20 ones, Varbits(x)
//            (width 127 marks a raw 64-bit value instead).
#include "agent/store/xor_chunk.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

namespace tocsin {
namespace {

constexpr int kMaxUnary = 20;
constexpr uint64_t kRawValueWidth = 127;
constexpr uint32_t kMaxEscapes = 8;  // more escapes than this turn a decimal chunk into XOR
constexpr int kMaxDecimals = 4;
constexpr double kPow10[kMaxDecimals + 1] = {1, 10, 100, 1000, 10000};
constexpr double kMaxExactInt = 9007199254740992.0;  // 2^53

uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
int64_t UnZigZag(uint64_t z) { return static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1); }

int RiceK(uint64_t acc) {
  uint64_t mean = acc >> 3;
  return mean == 0 ? 0 : std::bit_width(mean) - 1;
}

// Moving sum of the last ~8 residuals; a single huge residual (a gap) moves it only a little.
void UpdateAcc(uint64_t& acc, uint64_t zz, int k) {
  uint64_t cap = uint64_t{1} << std::min(k + 10, 58);
  acc = acc - (acc >> 3) + std::min(zz, cap);
}

void UpdateErr(uint64_t& err, uint64_t zz) {
  err = err - (err >> 3) + std::min<uint64_t>(zz, uint64_t{1} << 50);
}

// Moves the predicted delta a quarter of the way to the last one, rounding away from zero so
// that it always reaches a steady interval exactly.
int64_t StepPrediction(int64_t pred, uint64_t residual) {
  int64_t diff = static_cast<int64_t>(residual);
  int64_t step = diff >= 0 ? static_cast<int64_t>(residual + 3) >> 2 : diff >> 2;
  return static_cast<int64_t>(static_cast<uint64_t>(pred) + static_cast<uint64_t>(step));
}

void WriteVarbits(BitWriter& w, uint64_t x) {
  int len = std::bit_width(x);
  w.Write(static_cast<uint64_t>(len), 7);
  w.Write(x, len);
}

uint64_t ReadVarbits(BitReader& r) {
  int len = static_cast<int>(r.Read(7));
  return r.Read(std::min(len, 64));
}

void WriteRice(BitWriter& w, uint64_t zz, int k) {
  uint64_t q = zz >> k;
  if (q < kMaxUnary) {
    int qi = static_cast<int>(q);
    w.Write(((uint64_t{1} << qi) - 1) << 1, qi + 1);
    w.Write(zz & ((uint64_t{1} << k) - 1), k);
  } else {
    w.Write((uint64_t{1} << kMaxUnary) - 1, kMaxUnary);
    WriteVarbits(w, zz);
  }
}

// Returns false when the escape carried a raw value (then *zz holds the raw 64 bits).
bool ReadRiceSlow(BitReader& r, int k, uint64_t* zz) {
  int q = r.ReadUnary(kMaxUnary);
  if (q < kMaxUnary) {
    *zz = (static_cast<uint64_t>(q) << k) | r.Read(k);
    return true;
  }
  uint64_t len = r.Read(7);
  if (len == kRawValueWidth) {
    *zz = r.Read(64);
    return false;
  }
  *zz = r.Read(static_cast<int>(std::min<uint64_t>(len, 64)));
  return true;
}

// The common case (a short unary prefix and the k low bits within one 64-bit peek) without
// the bit-by-bit bookkeeping; anything else goes the slow way.
inline bool ReadRice(BitReader& r, int k, uint64_t* zz) {
  uint64_t w = r.Peek64();
  int q = std::countl_one(w);
  if (q < kMaxUnary && q + 1 + k <= 64) {
    uint64_t low = k == 0 ? 0 : (w << (q + 1)) >> (64 - k);
    r.Skip(q + 1 + k);
    *zz = (static_cast<uint64_t>(q) << k) | low;
    return true;
  }
  return ReadRiceSlow(r, k, zz);
}

bool ScaledInt(double v, int e, int64_t* m) {
  double p = kPow10[e];
  double s = std::nearbyint(v * p);
  if (!(std::fabs(s) <= kMaxExactInt)) return false;  // also rejects NaN and ±Inf
  int64_t mi = static_cast<int64_t>(s);
  double back = static_cast<double>(mi) / p;
  if (std::bit_cast<uint64_t>(back) != std::bit_cast<uint64_t>(v)) return false;  // -0.0 too
  *m = mi;
  return true;
}

}  // namespace

int DecimalModeOf(double v) {
  int64_t m;
  for (int e = 0; e <= kMaxDecimals; ++e) {
    if (ScaledInt(v, e, &m)) return e;
  }
  return -1;
}

// ---- Appender ----------------------------------------------------------------------------

void XorChunkAppender::Reset() {
  w_.Clear();
  w_.mutable_bytes().shrink_to_fit();
  count_ = 0;
  first_t_ = min_t_ = max_t_ = last_t_ = 0;
  mode_ = -1;
  pred_delta_ = 0;
  t_acc_ = 0;
  v_bits_ = 0;
  lead_ = -1;
  trail_ = 0;
  m_ = m_delta_ = 0;
  v_acc_ = err_delta_ = err_dod_ = 0;
  escapes_ = 0;
  ++epoch_;
}

void XorChunkAppender::Append(TimestampMs t, double v) {
  if (count_ == 0) {
    mode_ = static_cast<int8_t>(DecimalModeOf(v));
  } else if (mode_ >= 0) {
    int64_t m;
    if (!ScaledInt(v, mode_, &m)) {
      int e = DecimalModeOf(v);
      if (e > mode_) {
        Reencode(e);
      } else if (escapes_ >= kMaxEscapes) {
        Reencode(-1);
      }
    }
  }
  AppendEncoded(t, v);
}

void XorChunkAppender::Reencode(int mode) {
  std::vector<std::pair<TimestampMs, double>> samples;
  samples.reserve(count_);
  ChunkIterator it(view());
  while (it.Next()) samples.emplace_back(it.t(), it.v());
  Reset();
  for (auto& [t, v] : samples) {
    if (count_ == 0) {
      int64_t m;
      mode_ = static_cast<int8_t>(mode >= 0 && ScaledInt(v, mode, &m) ? mode : -1);
    }
    AppendEncoded(t, v);
  }
}

void XorChunkAppender::AppendEncoded(TimestampMs t, double v) {
  EncodeTimestamp(t);
  if (mode_ < 0) {
    EncodeValueXor(std::bit_cast<uint64_t>(v));
  } else {
    EncodeValueDecimal(v);
  }
  if (count_ == 0) {
    first_t_ = min_t_ = max_t_ = t;
  } else {
    min_t_ = std::min(min_t_, t);
    max_t_ = std::max(max_t_, t);
  }
  last_t_ = t;
  ++count_;
}

void XorChunkAppender::EncodeTimestamp(TimestampMs t) {
  if (count_ == 0) return;
  uint64_t delta = static_cast<uint64_t>(t) - static_cast<uint64_t>(last_t_);
  if (count_ == 1) {
    WriteVarbits(w_, ZigZag(static_cast<int64_t>(delta)));
    pred_delta_ = static_cast<int64_t>(delta);
    return;
  }
  uint64_t residual = delta - static_cast<uint64_t>(pred_delta_);
  uint64_t zz = ZigZag(static_cast<int64_t>(residual));
  int k = RiceK(t_acc_);
  WriteRice(w_, zz, k);
  UpdateAcc(t_acc_, zz, k);
  pred_delta_ = StepPrediction(pred_delta_, residual);
}

void XorChunkAppender::EncodeValueXor(uint64_t bits) {
  if (count_ == 0) {
    w_.Write(bits, 64);
    v_bits_ = bits;
    return;
  }
  uint64_t x = bits ^ v_bits_;
  v_bits_ = bits;
  if (x == 0) {
    w_.WriteBit(false);
    return;
  }
  int lead = std::min(std::countl_zero(x), 31);
  int trail = std::countr_zero(x);
  if (lead_ >= 0 && lead >= lead_ && trail >= trail_) {
    w_.Write(0b10, 2);
    w_.Write(x >> trail_, 64 - lead_ - trail_);
    return;
  }
  lead_ = lead;
  trail_ = trail;
  int sig = 64 - lead - trail;
  w_.Write(0b11, 2);
  w_.Write(static_cast<uint64_t>(lead), 5);
  w_.Write(static_cast<uint64_t>(sig & 63), 6);
  w_.Write(x >> trail, sig);
}

void XorChunkAppender::EncodeValueDecimal(double v) {
  int64_t m = 0;
  bool fits = ScaledInt(v, mode_, &m);
  if (count_ == 0) {  // Append() chose a mode that fits the first value
    WriteVarbits(w_, ZigZag(m));
    m_ = m;
    return;
  }
  if (!fits) {
    w_.Write((uint64_t{1} << kMaxUnary) - 1, kMaxUnary);
    w_.Write(kRawValueWidth, 7);
    w_.Write(std::bit_cast<uint64_t>(v), 64);
    ++escapes_;
    return;
  }
  bool use_dod = err_dod_ < err_delta_;
  int64_t pred = use_dod ? m_ + m_delta_ : m_;
  uint64_t zz = ZigZag(m - pred);
  int k = RiceK(v_acc_);
  WriteRice(w_, zz, k);
  UpdateAcc(v_acc_, zz, k);
  UpdateErr(err_delta_, ZigZag(m - m_));
  UpdateErr(err_dod_, ZigZag(m - m_ - m_delta_));
  m_delta_ = m - m_;
  m_ = m;
}

XorChunk XorChunkAppender::Seal() {
  XorChunk c;
  const auto& bytes = w_.bytes();
  c.size_ = static_cast<uint32_t>(bytes.size());
  if (!bytes.empty()) {
    c.data_ = std::make_unique_for_overwrite<uint8_t[]>(bytes.size());
    std::memcpy(c.data_.get(), bytes.data(), bytes.size());
  }
  c.count_ = count_;
  c.first_t_ = first_t_;
  c.min_t_ = min_t_;
  c.max_t_ = max_t_;
  c.mode_ = mode_;
  Reset();
  return c;
}

// ---- Iterator ----------------------------------------------------------------------------

ChunkIterator::ChunkIterator(const ChunkView& c) : c_(c), r_(c.data, c.size) {}

ChunkIterator::ChunkIterator(const ChunkView& c, const State& s)
    : c_(c),
      r_(c.data, c.size, s.bit_pos),
      i_(s.i),
      t_(s.t),
      raw_(s.raw),
      pred_delta_(s.pred_delta),
      t_acc_(s.t_acc),
      v_bits_(s.v_bits),
      lead_(s.lead),
      trail_(s.trail),
      m_(s.m),
      m_delta_(s.m_delta),
      v_acc_(s.v_acc),
      err_delta_(s.err_delta),
      err_dod_(s.err_dod) {}

ChunkIterator::State ChunkIterator::state() const {
  return State{r_.bit_pos(), i_,     t_, raw_,     pred_delta_, t_acc_,     v_bits_,
               lead_,        trail_, m_, m_delta_, v_acc_,      err_delta_, err_dod_};
}

inline bool ChunkIterator::NextInline() {
  if (i_ >= c_.count) return false;
  // Timestamp.
  if (i_ == 0) {
    t_ = c_.first_t;
  } else {
    uint64_t delta;
    if (i_ == 1) {
      delta = static_cast<uint64_t>(UnZigZag(ReadVarbits(r_)));
      pred_delta_ = static_cast<int64_t>(delta);
    } else {
      int k = RiceK(t_acc_);
      uint64_t zz = 0;
      ReadRice(r_, k, &zz);
      UpdateAcc(t_acc_, zz, k);
      uint64_t residual = static_cast<uint64_t>(UnZigZag(zz));
      delta = static_cast<uint64_t>(pred_delta_) + residual;
      pred_delta_ = StepPrediction(pred_delta_, residual);
    }
    t_ = static_cast<TimestampMs>(static_cast<uint64_t>(t_) + delta);
  }
  // Value.
  if (c_.mode < 0) {
    if (i_ == 0) {
      v_bits_ = r_.Read(64);
    } else if (r_.ReadBit()) {
      int sig;
      if (!r_.ReadBit()) {
        sig = 64 - lead_ - trail_;
      } else {
        lead_ = static_cast<int>(r_.Read(5));
        sig = static_cast<int>(r_.Read(6));
        if (sig == 0) sig = 64;
        trail_ = 64 - lead_ - sig;
      }
      v_bits_ ^= r_.Read(sig) << trail_;
    }
  } else if (i_ == 0) {
    m_ = UnZigZag(ReadVarbits(r_));
  } else {
    int k = RiceK(v_acc_);
    uint64_t zz = 0;
    raw_ = !ReadRice(r_, k, &zz);
    if (raw_) {
      v_bits_ = zz;  // escaped raw value; prediction state unchanged
    } else {
      UpdateAcc(v_acc_, zz, k);
      bool use_dod = err_dod_ < err_delta_;
      int64_t pred = use_dod ? m_ + m_delta_ : m_;
      int64_t m = pred + UnZigZag(zz);
      UpdateErr(err_delta_, ZigZag(m - m_));
      UpdateErr(err_dod_, ZigZag(m - m_ - m_delta_));
      m_delta_ = m - m_;
      m_ = m;
    }
  }
  ++i_;
  return true;
}

bool ChunkIterator::Next() { return NextInline(); }

bool ChunkIterator::DecodeRange(TimestampMs mint, TimestampMs maxt, std::vector<Sample>& out,
                                State* before_mint) {
  // A local copy that does not escape until the end, so that the compiler can keep the
  // decoder's fields in registers across the inlined steps.
  ChunkIterator it = *this;
  bool skipped = false;
  State last_skipped{};
  while (it.NextInline()) {
    if (it.t_ < mint) {
      skipped = true;
      if (before_mint != nullptr) last_skipped = it.state();
      continue;
    }
    if (it.t_ > maxt) break;
    out.push_back({it.t_, it.v()});
  }
  *this = it;
  if (skipped && before_mint != nullptr) *before_mint = last_skipped;
  return skipped;
}

}  // namespace tocsin
