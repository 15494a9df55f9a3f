#include "remote/record_codec.h"

#include <gtest/gtest.h>

#include <bit>

#include "agent/store/queryable.h"

namespace tocsin::remote {
namespace {

TEST(RecordCodecTest, RoundTripsSeriesAndSamples) {
  Record in;
  in.series = {{1, Labels{{"__name__", "up"}, {"job", "x"}}}, {7, Labels{{"__name__", "b"}}}};
  in.samples = {{1, 1000, 1.5}, {7, 900, -2}, {1, 2000, StaleNaN()}, {7, -100, 0}};
  std::string frame;
  EncodeRecord(in, frame);
  FrameHeader h;
  ASSERT_TRUE(ParseFrameHeader(frame, h));
  EXPECT_EQ(h.samples, 4u);
  EXPECT_EQ(h.payload_bytes + kFrameHeaderBytes, frame.size());
  std::string_view payload = std::string_view(frame).substr(kFrameHeaderBytes);
  EXPECT_TRUE(FrameCrcMatches(h, payload));
  Record out;
  ASSERT_TRUE(DecodeRecord(payload, out).ok());
  ASSERT_EQ(out.series.size(), 2u);
  EXPECT_EQ(out.series[1].ref, 7u);
  EXPECT_EQ(out.series[0].labels, in.series[0].labels);
  ASSERT_EQ(out.samples.size(), 4u);
  EXPECT_EQ(out.samples[3].t, -100);
  EXPECT_EQ(std::bit_cast<uint64_t>(out.samples[2].v), kStaleNaNBits);
}

TEST(RecordCodecTest, DetectsDamage) {
  Record in;
  in.samples = {{1, 5, 1}};
  std::string frame;
  EncodeRecord(in, frame);
  FrameHeader h;
  ASSERT_TRUE(ParseFrameHeader(frame, h));
  std::string payload = frame.substr(kFrameHeaderBytes);
  payload[payload.size() - 1] ^= 0x40;
  EXPECT_FALSE(FrameCrcMatches(h, payload));
  Record out;
  EXPECT_FALSE(DecodeRecord(payload.substr(0, 3), out).ok());
}

TEST(RecordCodecTest, Crc32cKnownValue) {
  // RFC 3720 test vector: 32 bytes of zeros.
  EXPECT_EQ(Crc32c(0, std::string(32, '\0')), 0x8a9136aau);
}

}  // namespace
}  // namespace tocsin::remote
