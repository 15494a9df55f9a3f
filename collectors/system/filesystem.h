// FilesystemReader: node_exporter's filesystem collector over a procfs mounts table and a
// StatFs (node_filesystem_{size,free,avail}_bytes, _files, _files_free, _readonly,
// _device_error with {device,fstype,mountpoint}).
//
// Mounts come from <procfs>/1/mounts, else <procfs>/self/mounts; a mount whose type matches
// the fs-types exclusion or whose mount point matches the mount-points exclusion (both
// unanchored, as node_exporter uses them) is skipped. Mount points are stat'ed under `rootfs`
// and labelled without that prefix. A failing or blocked statvfs yields device_error 1 for
// that mount only. Owns its TimedStatFs; not thread-safe (one per collector).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "agent/core/regex.h"
#include "agent/core/status.h"
#include "collectors/system/proc_file.h"
#include "collectors/system/sample_sink.h"
#include "collectors/system/statfs.h"

namespace tocsin::system {

struct FilesystemOptions {
  std::string procfs = "/proc";
  std::string rootfs = "/";
  std::chrono::milliseconds mount_timeout{5000};
};

class FilesystemReader {
 public:
  FilesystemReader(FilesystemOptions options, Regex fs_types_exclude, Regex mount_points_exclude,
                   std::shared_ptr<StatFs> statfs);

  // Stages this scrape's samples in `sink`. Errors only when no mounts table can be read or
  // parsed; `deadline` bounds every statvfs call (time_point{} = mount_timeout only).
  Status Read(ProcFile& file, std::chrono::steady_clock::time_point deadline, SampleSink& sink);

 private:
  FilesystemOptions options_;
  Regex fs_types_exclude_;
  Regex mount_points_exclude_;
  TimedStatFs statfs_;
};

// Decodes the octal escapes (\040 space, \011 tab, \012 newline, \134 backslash) the kernel
// writes in mount table fields.
std::string UnescapeMountField(std::string_view s);

}  // namespace tocsin::system
