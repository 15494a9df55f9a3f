#include "collectors/system/sysfs_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

#include "collectors/system/go_strconv.h"
#include "collectors/system/proc_file.h"

namespace tocsin::system {
namespace {

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

int OpenReadOnly(const std::string& path) {
  int fd;
  do {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

ssize_t ReadSome(int fd, char* buf, size_t n) {
  ssize_t got;
  do {
    got = ::read(fd, buf, n);
  } while (got < 0 && errno == EINTR);
  return got;
}

}  // namespace

bool SysFileRead::not_exist() const { return err == ENOENT; }
bool SysFileRead::permission() const { return err == EACCES || err == EPERM; }

Status SysFileRead::ToStatus(const std::string& path) const {
  std::string msg = path + ": " + (at_open ? "open" : "read") + ": " + std::strerror(err);
  if (err == ENOENT || err == ENOTDIR) return NotFound(std::move(msg));
  return Internal(std::move(msg));
}

SysFileRead SysReadRaw(const std::string& path) {
  SysFileRead r;
  Fd fd(OpenReadOnly(path));
  if (fd.get() < 0) {
    r.err = errno;
    r.at_open = true;
    return r;
  }
  std::array<char, 128> buf;
  ssize_t n = ReadSome(fd.get(), buf.data(), buf.size());
  if (n < 0) {
    r.err = errno;
    return r;
  }
  r.text.assign(buf.data(), static_cast<size_t>(n));
  return r;
}

SysFileRead SysRead(const std::string& path) {
  SysFileRead r = SysReadRaw(path);
  if (r.ok()) r.text = std::string(GoTrimSpace(r.text));
  return r;
}

SysFileRead ReadWhole(const std::string& path) {
  SysFileRead r;
  Fd fd(OpenReadOnly(path));
  if (fd.get() < 0) {
    r.err = errno;
    r.at_open = true;
    return r;
  }
  std::array<char, 4096> buf;
  while (true) {
    ssize_t n = ReadSome(fd.get(), buf.data(), buf.size());
    if (n < 0) {
      r.err = errno;
      r.text.clear();
      return r;
    }
    if (n == 0) break;
    r.text.append(buf.data(), static_cast<size_t>(n));
    if (r.text.size() > ProcFile::kMaxSize) {
      r.err = EFBIG;
      r.text.clear();
      return r;
    }
  }
  return r;
}

Status ReadDirSorted(const std::string& dir, std::vector<DirEntry>& out) {
  out.clear();
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) {
    SysFileRead r;
    r.err = errno;
    r.at_open = true;
    return r.ToStatus(dir);
  }
  Status st;
  while (true) {
    errno = 0;
    struct dirent* e = ::readdir(d);
    if (e == nullptr) {
      if (errno != 0) st = Internal(dir + ": readdir: " + std::strerror(errno));
      break;
    }
    std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    unsigned char type = e->d_type;
    if (type == DT_UNKNOWN) {
      struct stat sb {};
      if (::fstatat(::dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) == 0) {
        type = S_ISREG(sb.st_mode)   ? DT_REG
               : S_ISDIR(sb.st_mode) ? DT_DIR
               : S_ISLNK(sb.st_mode) ? DT_LNK
                                     : DT_UNKNOWN;
      }
    }
    EntryKind kind = type == DT_REG   ? EntryKind::kRegular
                     : type == DT_DIR ? EntryKind::kDirectory
                     : type == DT_LNK ? EntryKind::kSymlink
                                      : EntryKind::kOther;
    out.push_back(DirEntry{std::string(name), kind});
  }
  ::closedir(d);
  if (!st.ok()) return st;
  std::sort(out.begin(), out.end(),
            [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
  return Status::Ok();
}

std::vector<std::string> GlobDigitSuffix(const std::string& dir, std::string_view prefix) {
  std::vector<std::string> paths;
  std::vector<DirEntry> entries;
  if (!ReadDirSorted(dir, entries).ok()) return paths;
  for (const DirEntry& e : entries) {
    if (e.name.size() <= prefix.size() || !e.name.starts_with(prefix)) continue;
    char c = e.name[prefix.size()];
    if (c < '0' || c > '9') continue;
    paths.push_back(JoinPath(dir, e.name));
  }
  return paths;
}

int StatErrno(const std::string& path, bool* is_dir) {
  struct stat sb {};
  if (::stat(path.c_str(), &sb) != 0) return errno;
  if (is_dir != nullptr) *is_dir = S_ISDIR(sb.st_mode);
  return 0;
}

std::optional<std::string> RealPath(const std::string& path) {
  char* resolved = ::realpath(path.c_str(), nullptr);
  if (resolved == nullptr) return std::nullopt;
  std::string out(resolved);
  std::free(resolved);
  return out;
}

std::optional<uint64_t> ParseUintFile(std::string_view text) {
  return GoParseUint(GoTrimSpace(text), 10);
}

std::optional<int64_t> ParseIntFile(std::string_view text) {
  return GoParseInt(GoTrimSpace(text), 10);
}

size_t Utf8SequenceLength(std::string_view s, size_t i) {
  auto cont = [&](size_t k, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
    if (i + k >= s.size()) return false;
    auto c = static_cast<unsigned char>(s[i + k]);
    return c >= lo && c <= hi;
  };
  auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c == 0xE0) return cont(1, 0xA0) && cont(2) ? 3 : 0;
  if (c == 0xED) return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0;
  if (c >= 0xE1 && c <= 0xEF) return cont(1) && cont(2) ? 3 : 0;
  if (c == 0xF0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xF1 && c <= 0xF3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c == 0xF4) return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

std::string GoToValidUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool in_invalid = false;
  for (size_t i = 0; i < s.size();) {
    size_t n = Utf8SequenceLength(s, i);
    if (n == 0) {
      if (!in_invalid) out += "\xEF\xBF\xBD";
      in_invalid = true;
      ++i;
      continue;
    }
    in_invalid = false;
    out.append(s.substr(i, n));
    i += n;
  }
  return out;
}

}  // namespace tocsin::system
