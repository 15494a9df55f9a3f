#include "remote/segment_queue.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "agent/core/file_util.h"

namespace tocsin::remote {
namespace {

constexpr std::string_view kCursorFile = "cursor";
constexpr std::string_view kSegmentSuffix = ".seg";

Status ErrnoStatus(std::string_view what, const std::string& path) {
  return Internal(std::string(what) + " " + path + ": " + std::strerror(errno));
}

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus("write", path);
    off += static_cast<size_t>(n);
  }
  return Status::Ok();
}

bool PreadAll(int fd, char* buf, size_t n, uint64_t offset) {
  size_t done = 0;
  while (done < n) {
    ssize_t r = ::pread(fd, buf + done, n - done, static_cast<off_t>(offset + done));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    done += static_cast<size_t>(r);
  }
  return true;
}

// Scans a closed segment: its size and the samples of its valid frames.
void ScanSegment(const std::string& path, uint64_t& bytes, uint64_t& samples) {
  bytes = samples = 0;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  struct stat st {};
  if (::fstat(fd, &st) == 0) bytes = static_cast<uint64_t>(st.st_size);
  uint64_t off = kSegmentMagic.size();
  char head[kFrameHeaderBytes];
  std::string payload;
  while (off + kFrameHeaderBytes <= bytes && PreadAll(fd, head, sizeof head, off)) {
    FrameHeader h;
    if (!ParseFrameHeader(std::string_view(head, sizeof head), h) ||
        off + kFrameHeaderBytes + h.payload_bytes > bytes) {
      break;
    }
    payload.resize(h.payload_bytes);
    if (!PreadAll(fd, payload.data(), payload.size(), off + kFrameHeaderBytes) ||
        !FrameCrcMatches(h, payload)) {
      break;
    }
    samples += h.samples;
    off += kFrameHeaderBytes + h.payload_bytes;
  }
  ::close(fd);
}

}  // namespace

SegmentQueue::SegmentQueue(SegmentQueueOptions options) : options_(std::move(options)) {}

SegmentQueue::~SegmentQueue() {
  (void)Sync();
  std::lock_guard lock(mu_);
  if (active_fd_ >= 0) ::close(active_fd_);
  if (read_fd_ >= 0) ::close(read_fd_);
}

Result<std::unique_ptr<SegmentQueue>> SegmentQueue::Open(SegmentQueueOptions options) {
  std::unique_ptr<SegmentQueue> q(new SegmentQueue(std::move(options)));
  TOCSIN_RETURN_IF_ERROR(q->Recover());
  return q;
}

std::string SegmentQueue::PathOf(uint64_t index) const {
  char name[32];
  std::snprintf(name, sizeof name, "%020llu", static_cast<unsigned long long>(index));
  return options_.dir + "/" + name + std::string(kSegmentSuffix);
}

Status SegmentQueue::Recover() {
  TOCSIN_RETURN_IF_ERROR(MakeDirs(options_.dir));
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(options_.dir, ec)) {
    std::string name = entry.path().filename().string();
    if (!name.ends_with(kSegmentSuffix)) continue;
    uint64_t index = std::strtoull(name.c_str(), nullptr, 10);
    if (index == 0) continue;
    Segment s;
    s.closed = true;
    ScanSegment(entry.path().string(), s.bytes, s.samples);
    segments_[index] = s;
  }
  if (ec) return Internal("read queue directory " + options_.dir + ": " + ec.message());

  QueuePosition cursor;
  QueueCursor persisted;
  if (Result<std::string> text = ReadWholeFile(options_.dir + "/" + std::string(kCursorFile));
      text.ok()) {
    unsigned long long seg = 0, off = 0, end_seg = 0, end_off = 0;
    unsigned shards = 0;
    if (std::sscanf(text->c_str(), "v1 %llu %llu %llu %llu %u", &seg, &off, &end_seg, &end_off,
                    &shards) == 5) {
      cursor = {seg, off};
      persisted = {cursor, {end_seg, end_off}, shards};
    }
  }
  // Segments wholly acknowledged before a crash that came between the cursor's rename and
  // their unlink.
  for (auto it = segments_.begin(); it != segments_.end() && it->first < cursor.segment;) {
    ::unlink(PathOf(it->first).c_str());
    it = segments_.erase(it);
  }
  const uint64_t next =
      segments_.empty() ? std::max<uint64_t>(cursor.segment, 0) + 1 : segments_.rbegin()->first + 1;
  TOCSIN_RETURN_IF_ERROR(OpenActive(next));
  auto first = segments_.begin();
  if (cursor.segment == first->first) {
    start_ = persisted;
  } else {
    start_ = {{first->first, 0}, {first->first, 0}, 0};
  }
  return SyncDir(options_.dir);
}

Status SegmentQueue::OpenActive(uint64_t index) {
  const std::string path = PathOf(index);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoStatus("create", path);
  if (Status st = WriteAll(fd, kSegmentMagic, path); !st.ok()) {
    ::close(fd);
    return st;
  }
  std::lock_guard lock(mu_);
  if (active_fd_ >= 0) {
    to_sync_and_close_.push_back(active_fd_);
    segments_[active_].closed = true;
  }
  active_fd_ = fd;
  active_ = index;
  segments_[index] = Segment{kSegmentMagic.size(), 0, false};
  dirty_ = true;
  return Status::Ok();
}

bool SegmentQueue::ShouldRoll(size_t bytes) const {
  std::lock_guard lock(mu_);
  const Segment& s = segments_.at(active_);
  return s.bytes > kSegmentMagic.size() && s.bytes + bytes > options_.segment_bytes;
}

Status SegmentQueue::Roll() {
  uint64_t next;
  {
    std::lock_guard lock(mu_);
    next = active_ + 1;
  }
  TOCSIN_RETURN_IF_ERROR(OpenActive(next));
  // The new file's directory entry must survive a power cut before records land in it.
  return SyncDir(options_.dir);
}

Status SegmentQueue::Append(std::string_view frame, uint32_t samples) {
  std::lock_guard lock(mu_);
  TOCSIN_RETURN_IF_ERROR(WriteAll(active_fd_, frame, PathOf(active_)));
  Segment& s = segments_[active_];
  s.bytes += frame.size();
  s.samples += samples;
  dirty_ = true;
  DropOverBound();
  return Status::Ok();
}

void SegmentQueue::DropOverBound() {
  uint64_t total = 0;
  for (const auto& [i, s] : segments_) total += s.bytes;
  while (total > options_.max_bytes && segments_.begin()->first != active_) {
    auto it = segments_.begin();
    ::unlink(PathOf(it->first).c_str());
    total -= it->second.bytes;
    ++dropped_segments_;
    dropped_samples_ += it->second.samples;
    segments_.erase(it);
  }
}

Status SegmentQueue::Sync() {
  std::lock_guard sync_lock(sync_mu_);
  std::vector<int> closing;
  int active = -1;
  {
    std::lock_guard lock(mu_);
    if (!dirty_ && to_sync_and_close_.empty()) return Status::Ok();
    closing.swap(to_sync_and_close_);
    active = active_fd_;
    dirty_ = false;
  }
  Status result = Status::Ok();
  for (int fd : closing) {
    if (::fdatasync(fd) != 0 && result.ok()) result = ErrnoStatus("fdatasync", options_.dir);
    ::close(fd);
  }
  // The active fd is closed only by OpenActive's handover (into to_sync_and_close_, which only
  // this function drains) or by the destructor, so it stays valid here.
  if (active >= 0 && ::fdatasync(active) != 0 && result.ok()) {
    result = ErrnoStatus("fdatasync", options_.dir);
  }
  return result;
}

bool SegmentQueue::EnsureReadFd(uint64_t segment) {
  if (read_fd_ >= 0 && read_segment_ == segment) return true;
  if (read_fd_ >= 0) ::close(read_fd_);
  read_fd_ = ::open(PathOf(segment).c_str(), O_RDONLY | O_CLOEXEC);
  read_segment_ = segment;
  return read_fd_ >= 0;
}

bool SegmentQueue::SkipToNextSegment(QueuePosition& pos) {
  auto it = segments_.upper_bound(pos.segment);
  if (it == segments_.end()) return false;
  pos = {it->first, 0};
  return true;
}

SegmentQueue::Read SegmentQueue::ReadNext(QueuePosition& pos, FrameHeader& header,
                                          std::string& payload, bool& new_segment) {
  new_segment = false;
  for (;;) {
    uint64_t limit;
    bool closed;
    {
      std::lock_guard lock(mu_);
      auto it = segments_.lower_bound(pos.segment);
      if (it == segments_.end()) return Read::kNoData;
      if (it->first != pos.segment) {  // dropped by the bound (or never existed)
        pos = {it->first, 0};
        new_segment = true;
      }
      limit = it->second.bytes;
      closed = it->second.closed;
    }
    auto corrupt_tail = [&] {
      std::lock_guard lock(mu_);
      ++corruptions_;
      if (!SkipToNextSegment(pos)) return false;
      new_segment = true;
      return true;
    };
    if (!EnsureReadFd(pos.segment)) {
      std::lock_guard lock(mu_);
      if (!SkipToNextSegment(pos)) return Read::kNoData;
      new_segment = true;
      continue;
    }
    if (pos.offset < kSegmentMagic.size()) {
      char magic[kSegmentMagic.size()];
      if (limit < kSegmentMagic.size() || !PreadAll(read_fd_, magic, sizeof magic, 0) ||
          std::string_view(magic, sizeof magic) != kSegmentMagic) {
        if (!closed) return Read::kNoData;
        if (!corrupt_tail()) return Read::kNoData;
        continue;
      }
      pos.offset = kSegmentMagic.size();
      new_segment = true;
    }
    if (pos.offset >= limit) {
      if (!closed) return Read::kNoData;
      std::lock_guard lock(mu_);
      if (!SkipToNextSegment(pos)) return Read::kNoData;
      new_segment = true;
      continue;
    }
    char head[kFrameHeaderBytes];
    bool ok = pos.offset + kFrameHeaderBytes <= limit &&
              PreadAll(read_fd_, head, sizeof head, pos.offset) &&
              ParseFrameHeader(std::string_view(head, sizeof head), header) &&
              pos.offset + kFrameHeaderBytes + header.payload_bytes <= limit;
    if (ok) {
      payload.resize(header.payload_bytes);
      ok = PreadAll(read_fd_, payload.data(), payload.size(), pos.offset + kFrameHeaderBytes) &&
           FrameCrcMatches(header, payload);
    }
    if (!ok) {
      // A torn write (kill -9 / power cut mid-frame) or damaged bytes: the rest of this segment
      // cannot be framed any more.
      if (!corrupt_tail()) return Read::kNoData;
      continue;
    }
    pos.offset += kFrameHeaderBytes + header.payload_bytes;
    return Read::kRecord;
  }
}

Status SegmentQueue::PersistCursor(const QueueCursor& cursor) {
  const QueuePosition& pos = cursor.acked;
  char text[128];
  std::snprintf(
      text, sizeof text, "v1 %llu %llu %llu %llu %u\n",
      static_cast<unsigned long long>(pos.segment), static_cast<unsigned long long>(pos.offset),
      static_cast<unsigned long long>(cursor.in_flight_end.segment),
      static_cast<unsigned long long>(cursor.in_flight_end.offset), cursor.in_flight_shards);
  TOCSIN_RETURN_IF_ERROR(WriteFileAtomic(options_.dir + "/" + std::string(kCursorFile), text));
  bool removed = false;
  {
    std::lock_guard lock(mu_);
    for (auto it = segments_.begin();
         it != segments_.end() && it->first < pos.segment && it->first != active_;) {
      ::unlink(PathOf(it->first).c_str());
      it = segments_.erase(it);
      removed = true;
    }
  }
  return removed ? SyncDir(options_.dir) : Status::Ok();
}

SegmentQueueCounters SegmentQueue::Counters() const {
  std::lock_guard lock(mu_);
  SegmentQueueCounters c;
  c.segments = segments_.size();
  for (const auto& [i, s] : segments_) {
    c.bytes += s.bytes;
    c.samples_in_queue += s.samples;
  }
  c.corruptions_total = corruptions_;
  c.dropped_segments_total = dropped_segments_;
  c.dropped_samples_total = dropped_samples_;
  return c;
}

}  // namespace tocsin::remote
