// File and directory access for the hardware parts (hwmon, thermal_zone, cpufreq, edac,
// powersupplyclass, cpu's sysfs extras) with the error semantics of the Go code they mirror:
// os.Open/os.ReadFile/os.ReadDir/filepath.Glob and procfs 0.8's util.SysReadFile.
//
// A failed read keeps its errno and whether open(2) or read(2) failed: Go wraps open errors
// in *PathError (which os.IsNotExist/os.IsPermission see through, but procfs' comparisons of
// err.Error() with "invalid argument" do not), and util.SysReadFile returns read(2) errors
// bare. Stateless functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/core/status.h"

namespace tocsin::system {

struct SysFileRead {
  int err = 0;           // errno of the failed open(2)/read(2), 0 on success
  bool at_open = false;  // the error came from open(2)
  std::string text;      // contents (untrimmed) on success

  bool ok() const { return err == 0; }
  bool not_exist() const;   // os.IsNotExist
  bool permission() const;  // os.IsPermission
  // NotFound for ENOENT/ENOTDIR, Internal otherwise; names the path.
  Status ToStatus(const std::string& path) const;
};

// util.SysReadFile before its trim (and node_exporter's hwmon sysReadFile): one read(2) of at
// most 128 bytes.
SysFileRead SysReadRaw(const std::string& path);
// util.SysReadFile: SysReadRaw, then bytes.TrimSpace.
SysFileRead SysRead(const std::string& path);
// os.ReadFile: the whole file (at most 16 MiB).
SysFileRead ReadWhole(const std::string& path);

enum class EntryKind { kRegular, kDirectory, kSymlink, kOther };
struct DirEntry {
  std::string name;
  EntryKind kind;  // of the entry itself (lstat), as os.DirEntry.Type()
};

// os.ReadDir: entries sorted by name, without "." and "..".
Status ReadDirSorted(const std::string& dir, std::vector<DirEntry>& out);

// filepath.Glob(dir + "/" + prefix + "[0-9]*"): sorted paths of the entries whose name is
// `prefix` followed by a digit and anything; none (not an error) when `dir` cannot be read.
std::vector<std::string> GlobDigitSuffix(const std::string& dir, std::string_view prefix);

// os.Stat: 0 when `path` (followed through symlinks) exists, else the errno.
int StatErrno(const std::string& path, bool* is_dir = nullptr);

// filepath.EvalSymlinks for an existing path: the resolved path, or nullopt.
std::optional<std::string> RealPath(const std::string& path);

// strconv.ParseUint/ParseInt(strings.TrimSpace(s), 10, 64), as procfs' ReadUintFromFile /
// ReadIntFromFile and node_exporter's readUintFromFile parse a file's contents.
std::optional<uint64_t> ParseUintFile(std::string_view text);
std::optional<int64_t> ParseIntFile(std::string_view text);

// Length of the valid UTF-8 sequence starting at s[i] (Go's utf8.DecodeRune rules: no
// overlong forms, surrogates or values above U+10FFFF), 0 when none starts there.
size_t Utf8SequenceLength(std::string_view s, size_t i);

// strings.ToValidUTF8(s, "\uFFFD"): each run of invalid bytes becomes one U+FFFD, as
// node_exporter sanitises label values read from sysfs.
std::string GoToValidUtf8(std::string_view s);

}  // namespace tocsin::system
