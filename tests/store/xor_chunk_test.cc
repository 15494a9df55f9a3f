#include "agent/store/xor_chunk.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "agent/store/bit_stream.h"
#include "agent/store/queryable.h"

namespace tocsin {
namespace {

struct S {
  TimestampMs t;
  double v;
};

// Encodes, seals and decodes; checks every timestamp and value bit pattern, both through the
// head view and the sealed chunk.
void ExpectRoundTrip(const std::vector<S>& in) {
  XorChunkAppender app;
  for (const S& s : in) app.Append(s.t, s.v);
  ASSERT_EQ(app.count(), in.size());
  auto check = [&](const ChunkView& view) {
    ChunkIterator it(view);
    for (size_t i = 0; i < in.size(); ++i) {
      ASSERT_TRUE(it.Next()) << "sample " << i;
      ASSERT_EQ(it.t(), in[i].t) << "sample " << i;
      ASSERT_EQ(std::bit_cast<uint64_t>(it.v()), std::bit_cast<uint64_t>(in[i].v))
          << "sample " << i << " want " << in[i].v << " got " << it.v();
    }
    EXPECT_FALSE(it.Next());
  };
  check(app.view());
  XorChunk sealed = app.Seal();
  EXPECT_EQ(sealed.count(), in.size());
  check(sealed.view());
  EXPECT_TRUE(app.empty());
}

double Bits(uint64_t b) { return std::bit_cast<double>(b); }

// BitReader against a bit-by-bit reference, at every alignment and near the end of buffers of
// every small size (reads past the end yield zeros).
TEST(BitReaderTest, MatchesBitwiseReference) {
  std::mt19937_64 rng(5);
  for (size_t size = 0; size < 24; ++size) {
    std::vector<uint8_t> buf(size);
    for (uint8_t& b : buf) b = static_cast<uint8_t>(rng());
    auto bit = [&](uint64_t p) { return p / 8 < size ? (buf[p / 8] >> (7 - p % 8)) & 1 : 0; };
    for (uint64_t start = 0; start <= size * 8 + 2; ++start) {
      for (int n : {0, 1, 2, 5, 7, 8, 9, 31, 57, 63, 64}) {
        BitReader r(buf.data(), buf.size(), start);
        uint64_t want = 0;
        for (int i = 0; i < n; ++i) want = (want << 1) | bit(start + static_cast<uint64_t>(i));
        ASSERT_EQ(r.Read(n), want) << "size " << size << " start " << start << " n " << n;
        EXPECT_EQ(r.bit_pos(), start + static_cast<uint64_t>(n));
      }
      uint64_t peek = 0;
      for (int i = 0; i < 64; ++i) peek = (peek << 1) | bit(start + static_cast<uint64_t>(i));
      BitReader r(buf.data(), buf.size(), start);
      ASSERT_EQ(r.Peek64(), peek) << "size " << size << " start " << start;
      int ones = 0;
      while (ones < 20 && bit(start + static_cast<uint64_t>(ones))) ++ones;
      EXPECT_EQ(r.ReadUnary(20), ones);
      EXPECT_EQ(r.bit_pos(), start + static_cast<uint64_t>(ones) + (ones < 20 ? 1 : 0));
      uint64_t at = r.bit_pos();
      EXPECT_EQ(r.ReadBit(), bit(at) != 0);
    }
  }
}

TEST(XorChunkTest, EmptyAndSingle) {
  ExpectRoundTrip({});
  ExpectRoundTrip({{1000, 1.5}});
  ExpectRoundTrip({{-5, StaleNaN()}});
}

TEST(XorChunkTest, AdversarialValues) {
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> specials = {0.0,
                                  -0.0,
                                  inf,
                                  -inf,
                                  std::numeric_limits<double>::quiet_NaN(),
                                  Bits(0x7ff8000000000001ULL),  // NaN payloads
                                  Bits(0xfff0000000000123ULL),
                                  StaleNaN(),
                                  std::numeric_limits<double>::min(),
                                  std::numeric_limits<double>::denorm_min(),
                                  std::numeric_limits<double>::max(),
                                  -std::numeric_limits<double>::max(),
                                  9007199254740992.0,
                                  9007199254740993.0,
                                  -9007199254740991.0,
                                  0.1 + 0.2,
                                  12.34,
                                  1e300,
                                  -1e-300,
                                  42.0};
  std::vector<S> in;
  TimestampMs t = 1'700'000'000'000;
  for (int round = 0; round < 3; ++round) {
    for (double v : specials) {
      in.push_back({t, v});
      t += 15000;
    }
  }
  ExpectRoundTrip(in);
  // Each special inside an otherwise decimal series (escapes) and an integer counter.
  for (double v : specials) {
    std::vector<S> s;
    for (int i = 0; i < 30; ++i) s.push_back({i * 1000, i == 10 || i == 20 ? v : i * 3.0});
    ExpectRoundTrip(s);
    s.clear();
    for (int i = 0; i < 30; ++i) s.push_back({i * 1000, i % 3 == 0 ? v : i * 0.25});
    ExpectRoundTrip(s);
  }
}

TEST(XorChunkTest, AdversarialTimestamps) {
  const TimestampMs kMin = std::numeric_limits<TimestampMs>::min();
  const TimestampMs kMax = std::numeric_limits<TimestampMs>::max();
  ExpectRoundTrip({{kMin, 1}, {kMax, 2}, {kMin, 3}, {0, 4}, {kMax, 5}, {kMax - 1, 6}});
  ExpectRoundTrip({{0, 1}, {1, 1}, {2, 1}, {1'000'000'000'000, 1}, {1'000'000'000'001, 1}});
  // Irregular: big gaps, negative delta-of-deltas, jitter, backwards steps.
  std::vector<S> in;
  std::mt19937_64 rng(7);
  TimestampMs t = 1'700'000'000'000;
  for (int i = 0; i < 240; ++i) {
    switch (rng() % 6) {
      case 0:
        t += 15000;
        break;
      case 1:
        t += 1 + static_cast<TimestampMs>(rng() % 100);
        break;
      case 2:
        t += static_cast<TimestampMs>(rng() % (1LL << 40));
        break;
      case 3:
        t -= static_cast<TimestampMs>(rng() % 100000);
        break;
      case 4:
        t += 15000 + static_cast<TimestampMs>(rng() % 101) - 50;
        break;
      default:
        break;  // same timestamp
    }
    in.push_back({t, static_cast<double>(i)});
  }
  ExpectRoundTrip(in);
}

TEST(XorChunkTest, RandomProperty) {
  std::mt19937_64 rng(12345);
  for (int iter = 0; iter < 400; ++iter) {
    std::vector<S> in;
    size_t n = 1 + rng() % 250;
    TimestampMs t = static_cast<TimestampMs>(rng() >> 20);
    int shape = static_cast<int>(rng() % 6);
    double v = 0;
    for (size_t i = 0; i < n; ++i) {
      t += 15000 + static_cast<TimestampMs>(rng() % 101) - 50;
      if (rng() % 50 == 0) t += static_cast<TimestampMs>(rng() % 10'000'000);
      switch (shape) {
        case 0:
          v = Bits(rng());
          break;  // any bit pattern
        case 1:
          v += static_cast<double>(rng() % 1000);
          break;  // integer counter
        case 2:
          v = static_cast<double>(static_cast<int64_t>(rng() % 100000) - 50000) / 100;
          break;
        case 3:
          v = std::ldexp(static_cast<double>(rng() % 1000), static_cast<int>(rng() % 200) - 100);
          break;
        case 4:
          v = rng() % 7 == 0 ? StaleNaN() : v + 0.5;
          break;
        default:
          v = rng() % 2 ? 1e-3 * static_cast<double>(rng() % 10000) : Bits(rng());
          break;
      }
      in.push_back({t, v});
    }
    ExpectRoundTrip(in);
    if (HasFatalFailure()) return;
  }
}

// A decoder state taken after k samples resumes on the same bytes and on the encoding grown by
// later appends (as a head chunk's read cursor does), as long as the epoch did not change.
TEST(XorChunkTest, ResumeFromStateOnGrownEncoding) {
  std::mt19937_64 rng(777);
  int resumed = 0, restarted = 0;
  for (int iter = 0; iter < 300; ++iter) {
    size_t n = 2 + rng() % 200;
    std::vector<S> in;
    TimestampMs t = 1'000'000;
    double v = 0;
    int shape = static_cast<int>(rng() % 4);
    for (size_t i = 0; i < n; ++i) {
      t += 15000 + static_cast<TimestampMs>(rng() % 21) - 10;
      if (shape == 0) v += 3;                                                     // counter
      if (shape == 1) v = static_cast<double>(rng() % 1000) / 10;                 // decimal gauge
      if (shape == 2) v = rng() % 30 == 0 ? StaleNaN() : v + 1;                   // escapes
      if (shape == 3) v = i < n / 2 ? v + 1 : Bits(rng() | (uint64_t{1} << 62));  // re-encodes
      in.push_back({t, v});
    }
    size_t k = 1 + rng() % (n - 1);
    XorChunkAppender app;
    for (size_t i = 0; i < k; ++i) app.Append(in[i].t, in[i].v);
    ChunkIterator first(app.view());
    for (size_t i = 0; i < k; ++i) ASSERT_TRUE(first.Next());
    ChunkIterator::State st = first.state();
    EXPECT_EQ(st.i, k);
    EXPECT_EQ(st.t, in[k - 1].t);
    uint64_t epoch = app.epoch();
    for (size_t i = k; i < n; ++i) app.Append(in[i].t, in[i].v);
    if (app.epoch() != epoch) {
      ++restarted;  // re-encoded: the state no longer applies
      continue;
    }
    ++resumed;
    ChunkIterator it(app.view(), st);
    for (size_t i = k; i < n; ++i) {
      ASSERT_TRUE(it.Next()) << "sample " << i;
      ASSERT_EQ(it.t(), in[i].t) << "sample " << i;
      ASSERT_EQ(std::bit_cast<uint64_t>(it.v()), std::bit_cast<uint64_t>(in[i].v)) << i;
    }
    EXPECT_FALSE(it.Next());
  }
  EXPECT_GT(resumed, 100);
  EXPECT_GT(restarted, 5);
}

TEST(XorChunkTest, EpochChangesWhenTheEncodingRestarts) {
  XorChunkAppender app;
  uint64_t e0 = app.epoch();
  app.Append(1000, 1);
  app.Append(2000, 2);
  EXPECT_EQ(app.epoch(), e0);
  app.Append(3000, 2.5);  // integer -> decimal mode: re-encoded
  uint64_t e1 = app.epoch();
  EXPECT_NE(e1, e0);
  app.Append(4000, 3);
  EXPECT_EQ(app.epoch(), e1);
  (void)app.Seal();
  EXPECT_NE(app.epoch(), e1);
}

TEST(XorChunkTest, DecimalModeDetection) {
  EXPECT_EQ(DecimalModeOf(3.0), 0);
  EXPECT_EQ(DecimalModeOf(12.34), 2);
  EXPECT_EQ(DecimalModeOf(0.0001), 4);
  EXPECT_EQ(DecimalModeOf(-0.0), -1);
  EXPECT_EQ(DecimalModeOf(0.1 + 0.2), -1);
  EXPECT_EQ(DecimalModeOf(StaleNaN()), -1);
  EXPECT_EQ(DecimalModeOf(std::numeric_limits<double>::infinity()), -1);
}

TEST(XorChunkTest, RegularSeriesCompressWell) {
  XorChunkAppender constant, counter;
  for (int i = 0; i < 120; ++i) {
    constant.Append(1'700'000'000'000 + i * 15000, 1.0);
    counter.Append(1'700'000'000'000 + i * 15000, 1000.0 + i * 10);
  }
  // ~1 bit timestamp + ~1 bit value per sample, plus a small header.
  EXPECT_LT(constant.Seal().payload_bytes(), 60u);
  EXPECT_LT(counter.Seal().payload_bytes(), 60u);
}

}  // namespace
}  // namespace tocsin
