#include "remote/segment_queue.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "tests/remote/test_support.h"

namespace tocsin::remote {
namespace {

using testing::TempDir;

std::string Frame(TimestampMs t, uint32_t n = 1) {
  Record r;
  for (uint32_t i = 0; i < n; ++i) r.samples.push_back({1, t + i, 1.0});
  std::string f;
  EncodeRecord(r, f);
  return f;
}

// Reads every available record from `pos`; returns their first timestamps.
std::vector<TimestampMs> ReadAll(SegmentQueue& q, QueuePosition& pos) {
  std::vector<TimestampMs> out;
  FrameHeader h;
  std::string payload;
  bool new_segment;
  while (q.ReadNext(pos, h, payload, new_segment) == SegmentQueue::Read::kRecord) {
    Record r;
    EXPECT_TRUE(DecodeRecord(payload, r).ok());
    out.push_back(r.samples.at(0).t);
  }
  return out;
}

std::vector<std::filesystem::path> Segments(const std::string& dir) {
  std::vector<std::filesystem::path> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".seg") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(SegmentQueueTest, AppendsAndReadsInOrderAcrossSegments) {
  TempDir dir;
  auto q = SegmentQueue::Open({.dir = dir.path(), .segment_bytes = 4096, .max_bytes = 1 << 20});
  ASSERT_TRUE(q.ok());
  for (int i = 0; i < 300; ++i) {
    std::string f = Frame(i);
    if ((*q)->ShouldRoll(f.size())) {
      ASSERT_TRUE((*q)->Roll().ok());
    }
    ASSERT_TRUE((*q)->Append(f, 1).ok());
  }
  ASSERT_TRUE((*q)->Sync().ok());
  EXPECT_GT((*q)->Counters().segments, 1u);
  QueuePosition pos = (*q)->start().acked;
  std::vector<TimestampMs> got = ReadAll(**q, pos);
  ASSERT_EQ(got.size(), 300u);
  for (int i = 0; i < 300; ++i) EXPECT_EQ(got[i], i);
}

TEST(SegmentQueueTest, ResumesFromPersistedCursorAfterReopen) {
  TempDir dir;
  QueuePosition acked;
  {
    auto q =
        SegmentQueue::Open({.dir = dir.path(), .segment_bytes = 1 << 20, .max_bytes = 4 << 20});
    ASSERT_TRUE(q.ok());
    for (int i = 0; i < 10; ++i) ASSERT_TRUE((*q)->Append(Frame(i), 1).ok());
    QueuePosition pos = (*q)->start().acked;
    FrameHeader h;
    std::string payload;
    bool ns;
    for (int i = 0; i < 4; ++i) {
      ASSERT_EQ((*q)->ReadNext(pos, h, payload, ns), SegmentQueue::Read::kRecord);
    }
    acked = pos;
    ASSERT_TRUE((*q)->PersistCursor({acked, acked, 0}).ok());
    // No Sync and no clean close matter for kill -9: write() reached the page cache.
  }
  auto q = SegmentQueue::Open({.dir = dir.path(), .segment_bytes = 1 << 20, .max_bytes = 4 << 20});
  ASSERT_TRUE(q.ok());
  EXPECT_EQ((*q)->start().acked, acked);
  ASSERT_TRUE((*q)->Append(Frame(100), 1).ok());  // goes to a new segment
  QueuePosition pos = (*q)->start().acked;
  std::vector<TimestampMs> got = ReadAll(**q, pos);
  EXPECT_EQ(got, (std::vector<TimestampMs>{4, 5, 6, 7, 8, 9, 100}));
}

TEST(SegmentQueueTest, TornTailIsSkippedAndCounted) {
  TempDir dir;
  {
    auto q =
        SegmentQueue::Open({.dir = dir.path(), .segment_bytes = 1 << 20, .max_bytes = 4 << 20});
    ASSERT_TRUE(q.ok());
    for (int i = 0; i < 5; ++i) ASSERT_TRUE((*q)->Append(Frame(i), 1).ok());
  }
  // A crash mid-write: the last frame is cut short.
  auto segs = Segments(dir.path());
  ASSERT_EQ(segs.size(), 1u);
  std::filesystem::resize_file(segs[0], std::filesystem::file_size(segs[0]) - 5);
  auto q = SegmentQueue::Open({.dir = dir.path(), .segment_bytes = 1 << 20, .max_bytes = 4 << 20});
  ASSERT_TRUE(q.ok());
  ASSERT_TRUE((*q)->Append(Frame(50), 1).ok());
  QueuePosition pos = (*q)->start().acked;
  EXPECT_EQ(ReadAll(**q, pos), (std::vector<TimestampMs>{0, 1, 2, 3, 50}));
  EXPECT_EQ((*q)->Counters().corruptions_total, 1u);
}

TEST(SegmentQueueTest, CorruptBytesSkipTheRestOfTheSegment) {
  TempDir dir;
  {
    auto q =
        SegmentQueue::Open({.dir = dir.path(), .segment_bytes = 1 << 20, .max_bytes = 4 << 20});
    ASSERT_TRUE(q.ok());
    for (int i = 0; i < 5; ++i) ASSERT_TRUE((*q)->Append(Frame(i), 1).ok());
  }
  auto segs = Segments(dir.path());
  const size_t frame = Frame(0).size();
  int fd = ::open(segs[0].c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  char junk = 0x55;
  // A payload byte of the third frame.
  ASSERT_EQ(::pwrite(fd, &junk, 1, kSegmentMagic.size() + 2 * frame + kFrameHeaderBytes + 2), 1);
  ::close(fd);
  auto q = SegmentQueue::Open({.dir = dir.path(), .segment_bytes = 1 << 20, .max_bytes = 4 << 20});
  ASSERT_TRUE(q.ok());
  ASSERT_TRUE((*q)->Append(Frame(60), 1).ok());
  QueuePosition pos = (*q)->start().acked;
  EXPECT_EQ(ReadAll(**q, pos), (std::vector<TimestampMs>{0, 1, 60}));
  EXPECT_EQ((*q)->Counters().corruptions_total, 1u);
}

TEST(SegmentQueueTest, BoundDropsOldestSegmentsAndCountsSamples) {
  TempDir dir;
  auto q = SegmentQueue::Open({.dir = dir.path(), .segment_bytes = 4096, .max_bytes = 16384});
  ASSERT_TRUE(q.ok());
  for (int i = 0; i < 1000; ++i) {
    std::string f = Frame(i * 10, 2);
    if ((*q)->ShouldRoll(f.size())) {
      ASSERT_TRUE((*q)->Roll().ok());
    }
    ASSERT_TRUE((*q)->Append(f, 2).ok());
  }
  SegmentQueueCounters c = (*q)->Counters();
  EXPECT_LE(c.bytes, 16384u + 4096u);
  EXPECT_GT(c.dropped_segments_total, 0u);
  EXPECT_EQ(c.dropped_samples_total + c.samples_in_queue, 2000u);
  // What is left is the newest data, still in order.
  QueuePosition pos = (*q)->start().acked;
  std::vector<TimestampMs> got = ReadAll(**q, pos);
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got.back(), 9990);
  EXPECT_TRUE(std::is_sorted(got.begin(), got.end()));
  EXPECT_EQ(got.size() * 2, c.samples_in_queue);
}

TEST(SegmentQueueTest, PersistingPastASegmentDeletesIt) {
  TempDir dir;
  auto q = SegmentQueue::Open({.dir = dir.path(), .segment_bytes = 4096, .max_bytes = 1 << 20});
  ASSERT_TRUE(q.ok());
  for (int i = 0; i < 300; ++i) {
    std::string f = Frame(i);
    if ((*q)->ShouldRoll(f.size())) {
      ASSERT_TRUE((*q)->Roll().ok());
    }
    ASSERT_TRUE((*q)->Append(f, 1).ok());
  }
  const size_t before = Segments(dir.path()).size();
  QueuePosition pos = (*q)->start().acked;
  ReadAll(**q, pos);
  ASSERT_TRUE((*q)->PersistCursor({pos, pos, 0}).ok());
  EXPECT_LT(Segments(dir.path()).size(), before);
  EXPECT_EQ(Segments(dir.path()).size(), 1u);
}

}  // namespace
}  // namespace tocsin::remote
