#include "agent/core/time_zone.h"

#include <algorithm>
#include <cstdlib>

#include "agent/core/file_util.h"

namespace tocsin {
namespace {

// A big-endian reader over the TZif bytes; every read is bounds-checked.
class TzifReader {
 public:
  explicit TzifReader(std::string_view data) : data_(data) {}
  bool Skip(size_t n) {
    if (data_.size() - pos_ < n) return false;
    pos_ += n;
    return true;
  }
  bool Int(size_t bytes, int64_t* out) {
    if (data_.size() - pos_ < bytes) return false;
    uint64_t v = 0;
    for (size_t i = 0; i < bytes; ++i) v = (v << 8) | static_cast<uint8_t>(data_[pos_ + i]);
    pos_ += bytes;
    if (bytes == 4) {
      *out = static_cast<int32_t>(static_cast<uint32_t>(v));
    } else {
      *out = static_cast<int64_t>(v);
    }
    return true;
  }
  std::string_view Peek(size_t n) const { return data_.substr(pos_, n); }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

struct TzifCounts {
  int64_t isut = 0, isstd = 0, leap = 0, time = 0, type = 0, chars = 0;
};

bool ReadHeader(TzifReader& r, char* version, TzifCounts* c) {
  if (r.Peek(4) != "TZif" || !r.Skip(4)) return false;
  std::string_view v = r.Peek(1);
  if (v.empty()) return false;
  *version = v[0];
  return r.Skip(16) && r.Int(4, &c->isut) && r.Int(4, &c->isstd) && r.Int(4, &c->leap) &&
         r.Int(4, &c->time) && r.Int(4, &c->type) && r.Int(4, &c->chars) && c->time >= 0 &&
         c->type > 0 && c->type < 256;
}

}  // namespace

std::shared_ptr<const TimeZone> TimeZone::Utc() {
  static const std::shared_ptr<const TimeZone> utc = [] {
    auto z = std::make_shared<TimeZone>();
    z->name_ = "UTC";
    return z;
  }();
  return utc;
}

Result<std::shared_ptr<const TimeZone>> TimeZone::Load(std::string_view name) {
  if (name.empty() || name == "UTC") return Utc();
  // Go refuses names that could escape the zoneinfo directory.
  if (name.front() == '/' || name.find("..") != std::string_view::npos) {
    return InvalidArgument("unknown time zone " + std::string(name));
  }
  std::string path;
  if (name == "Local") {
    path = "/etc/localtime";
  } else {
    const char* dir = std::getenv("ZONEINFO");
    path = std::string(dir != nullptr && *dir != '\0' ? dir : "/usr/share/zoneinfo") + "/" +
           std::string(name);
  }
  Result<std::string> data = ReadWholeFile(path);
  if (!data.ok()) return InvalidArgument("unknown time zone " + std::string(name));
  auto bad = [&] { return InvalidArgument("time zone " + std::string(name) + ": bad TZif file"); };

  TzifReader r(*data);
  char version = 0;
  TzifCounts c;
  if (!ReadHeader(r, &version, &c)) return bad();
  size_t time_size = 4;
  if (version >= '2') {
    // Skip the 32-bit block; the 64-bit one after it covers all years.
    if (!r.Skip(c.time * 5 + c.type * 6 + c.chars + c.leap * 8 + c.isstd + c.isut)) return bad();
    if (!ReadHeader(r, &version, &c)) return bad();
    time_size = 8;
  }
  std::vector<int64_t> times(c.time);
  std::vector<int64_t> indices(c.time);
  for (auto& t : times) {
    if (!r.Int(time_size, &t)) return bad();
  }
  for (auto& i : indices) {
    if (!r.Int(1, &i) || i >= c.type) return bad();
  }
  std::vector<int32_t> offsets(c.type);
  for (auto& o : offsets) {
    int64_t utoff = 0;
    if (!r.Int(4, &utoff) || !r.Skip(2)) return bad();
    o = static_cast<int32_t>(utoff);
  }
  auto zone = std::make_shared<TimeZone>();
  zone->name_ = std::string(name);
  zone->offset_before_ = offsets[0];
  zone->transitions_ = std::move(times);
  for (int64_t i : indices) zone->offset_after_.push_back(offsets[static_cast<size_t>(i)]);
  return std::shared_ptr<const TimeZone>(std::move(zone));
}

int64_t TimeZone::OffsetAt(int64_t unix_seconds) const {
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), unix_seconds);
  if (it == transitions_.begin()) return offset_before_;
  return offset_after_[static_cast<size_t>(it - transitions_.begin() - 1)];
}

}  // namespace tocsin
