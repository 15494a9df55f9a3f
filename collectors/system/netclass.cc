#include "collectors/system/netclass.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <optional>
#include <string_view>
#include <vector>

#include "collectors/system/go_strconv.h"
#include "collectors/system/proc_file.h"

namespace tocsin::system {
namespace {

// One device's attributes, as procfs's NetClassIface (only what node_exporter exports).
struct Iface {
  std::string address, broadcast, duplex, ifalias, operstate;
  // Indexed like kNumeric.
  std::array<std::optional<int64_t>, 20> numeric;
};

struct NumericAttr {
  std::string_view file;
  std::string_view metric;  // after "node_network_"
  MetricType type;
};

// The numeric attributes node_exporter 1.5 exports, in its order ("speed" is special-cased).
constexpr std::array<NumericAttr, 17> kNumeric = {{
    {"addr_assign_type", "address_assign_type", MetricType::kGauge},
    {"carrier", "carrier", MetricType::kGauge},
    {"carrier_changes", "carrier_changes_total", MetricType::kCounter},
    {"carrier_up_count", "carrier_up_changes_total", MetricType::kCounter},
    {"carrier_down_count", "carrier_down_changes_total", MetricType::kCounter},
    {"dev_id", "device_id", MetricType::kGauge},
    {"dormant", "dormant", MetricType::kGauge},
    {"flags", "flags", MetricType::kGauge},
    {"ifindex", "iface_id", MetricType::kGauge},
    {"iflink", "iface_link", MetricType::kGauge},
    {"link_mode", "iface_link_mode", MetricType::kGauge},
    {"mtu", "mtu_bytes", MetricType::kGauge},
    {"name_assign_type", "name_assign_type", MetricType::kGauge},
    {"netdev_group", "net_dev_group", MetricType::kGauge},
    {"speed", "speed_bytes", MetricType::kGauge},
    {"tx_queue_len", "transmit_queue_length", MetricType::kGauge},
    {"type", "protocol_type", MetricType::kGauge},
}};
constexpr size_t kSpeed = 14;

class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() { ::close(fd_); }
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;

 private:
  int fd_;
};

class DirCloser {
 public:
  explicit DirCloser(DIR* d) : d_(d) {}
  ~DirCloser() { ::closedir(d_); }
  DirCloser(const DirCloser&) = delete;
  DirCloser& operator=(const DirCloser&) = delete;

 private:
  DIR* d_;
};

std::string ErrnoMessage(const std::string& path, std::string_view op, int err) {
  return path + ": " + std::string(op) + ": " + std::strerror(err);
}

Status ErrnoStatus(const std::string& path, std::string_view op, int err) {
  std::string msg = ErrnoMessage(path, op, err);
  if (err == ENOENT || err == ENOTDIR) return NotFound(std::move(msg));
  return Internal(std::move(msg));
}

// Names and "is a regular file" of the entries of `dir` (sorted, without "." and "..").
Status ListDir(const std::string& dir, std::vector<std::pair<std::string, bool>>& out) {
  out.clear();
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return ErrnoStatus(dir, "open", errno);
  DirCloser closer(d);
  while (true) {
    errno = 0;
    struct dirent* e = ::readdir(d);
    if (e == nullptr) {
      if (errno != 0) return ErrnoStatus(dir, "readdir", errno);
      break;
    }
    std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    bool regular = e->d_type == DT_REG;
    if (e->d_type == DT_UNKNOWN) {
      struct stat st {};
      if (::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        return ErrnoStatus(dir + "/" + std::string(name), "lstat", errno);
      }
      regular = S_ISREG(st.st_mode);
    }
    out.emplace_back(std::string(name), regular);
  }
  std::sort(out.begin(), out.end());
  return Status::Ok();
}

// util.SysReadFile: one read(2) of at most 128 bytes, trimmed. Returns nullopt (attribute
// absent) for the errors procfs skips.
Result<std::optional<std::string>> ReadAttribute(const std::string& path) {
  int fd;
  do {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    int err = errno;
    // os.IsNotExist / os.IsPermission see through the open error; the EINVAL/EOPNOTSUPP
    // string comparisons in procfs only match errors of the read itself.
    if (err == ENOENT || err == EACCES || err == EPERM) return std::optional<std::string>();
    return Status(ErrnoStatus(path, "open", err));
  }
  FdCloser closer(fd);
  std::array<char, 128> buf;
  ssize_t n;
  do {
    n = ::read(fd, buf.data(), buf.size());
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    int err = errno;
    if (NetClassSkippableReadError(err)) return std::optional<std::string>();
    return Status(ErrnoStatus(path, "read", err));
  }
  return std::optional<std::string>(
      std::string(GoTrimSpace(std::string_view(buf.data(), static_cast<size_t>(n)))));
}

Status ReadIface(const std::string& dir, Iface& iface) {
  std::vector<std::pair<std::string, bool>> entries;
  Status st = ListDir(dir, entries);
  if (!st.ok()) return st;
  for (const auto& [name, regular] : entries) {
    if (!regular) continue;
    // Every regular file is read, as procfs does, so the same read errors fail the part.
    Result<std::optional<std::string>> value = ReadAttribute(dir + "/" + name);
    if (!value.ok()) return value.status();
    if (!value->has_value()) continue;
    std::string& v = **value;
    if (name == "address") {
      iface.address = std::move(v);
    } else if (name == "broadcast") {
      iface.broadcast = std::move(v);
    } else if (name == "duplex") {
      iface.duplex = std::move(v);
    } else if (name == "ifalias") {
      iface.ifalias = std::move(v);
    } else if (name == "operstate") {
      iface.operstate = std::move(v);
    } else {
      for (size_t i = 0; i < kNumeric.size(); ++i) {
        // ValueParser.PInt64 hands back 0 when the value does not parse.
        if (name == kNumeric[i].file) iface.numeric[i] = GoParseInt(v, 0).value_or(0);
      }
    }
  }
  return Status::Ok();
}

}  // namespace

bool NetClassSkippableReadError(int err) {
  return err == ENOENT || err == EACCES || err == EPERM || err == EOPNOTSUPP || err == EINVAL;
}

Status ReadNetClass(const std::string& sysfs, const Regex& ignored, SampleSink& sink) {
  const std::string root = JoinPath(sysfs, "class/net");
  std::vector<std::pair<std::string, bool>> devices;
  Status st = ListDir(root, devices);
  if (!st.ok()) return st;

  sink.Family("node_network_up", MetricType::kGauge,
              "Value is 1 if operstate is 'up', 0 otherwise.");
  sink.Family("node_network_info", MetricType::kGauge,
              "Non-numeric data from /sys/class/net/<iface>, value is always 1.");
  std::array<std::string, kNumeric.size()> names;
  for (size_t i = 0; i < kNumeric.size(); ++i) {
    names[i] = "node_network_" + std::string(kNumeric[i].metric);
    sink.Family(names[i], kNumeric[i].type,
                "Network device property: " + std::string(kNumeric[i].metric));
  }
  for (const auto& [device, regular] : devices) {
    if (regular || ignored.Matches(device)) continue;
    Iface iface;
    st = ReadIface(root + "/" + device, iface);
    if (!st.ok()) return st;
    sink.Add("node_network_up", {{"device", device}}, iface.operstate == "up" ? 1 : 0);
    sink.Add("node_network_info",
             {{"device", device},
              {"address", iface.address},
              {"broadcast", iface.broadcast},
              {"duplex", iface.duplex},
              {"operstate", iface.operstate},
              {"ifalias", iface.ifalias}},
             1);
    for (size_t i = 0; i < kNumeric.size(); ++i) {
      if (!iface.numeric[i]) continue;
      int64_t v = *iface.numeric[i];
      // Mbit/s to bytes/s in Go's int64 arithmetic; -1 (unknown) gives -125000, as 1.5
      // reports without --collector.netclass.ignore-invalid-speed.
      if (i == kSpeed) {
        v = static_cast<int64_t>(static_cast<uint64_t>(v) * 1000 * 1000) / 8;
      }
      sink.Add(names[i], {{"device", device}}, static_cast<double>(v));
    }
  }
  return Status::Ok();
}

}  // namespace tocsin::system
