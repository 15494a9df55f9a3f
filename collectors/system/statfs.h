// StatFs: the statvfs(2) seam of the filesystem reader, and a wrapper that bounds its time.
//
// The system collector asks a StatFs for the sizes of every mounted filesystem. The real one
// calls statvfs(2); tests pass a fake table. statvfs on a dead NFS server can block for ever,
// so TimedStatFs runs each call on a detached thread and gives up at a deadline: the mount is
// then reported "stuck" (an error, without another thread) until the blocked call returns,
// as node_exporter does. Implementations must be thread-safe; TimedStatFs is thread-safe and
// shares ownership of the wrapped StatFs with its in-flight threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "agent/core/status.h"

namespace tocsin::system {

struct FsStats {
  uint64_t block_size = 0;  // f_frsize: the unit of the block counts
  uint64_t blocks = 0;
  uint64_t blocks_free = 0;   // free for root
  uint64_t blocks_avail = 0;  // free for unprivileged users
  uint64_t files = 0;
  uint64_t files_free = 0;
};

class StatFs {
 public:
  virtual ~StatFs() = default;
  // Statistics of the filesystem containing `path`.
  virtual Result<FsStats> Stat(const std::string& path) = 0;
};

// statvfs(2).
std::shared_ptr<StatFs> MakeRealStatFs();

class TimedStatFs {
 public:
  explicit TimedStatFs(std::shared_ptr<StatFs> inner);

  // Calls inner->Stat(path) on a helper thread and waits until `deadline`. DeadlineExceeded
  // when the call did not finish in time or an earlier call for `path` is still blocked.
  Result<FsStats> Stat(const std::string& path, std::chrono::steady_clock::time_point deadline);

  // Number of paths whose call is currently blocked.
  size_t stuck_count() const;

 private:
  struct StuckSet {
    mutable std::mutex mu;
    std::set<std::string> paths;
  };
  std::shared_ptr<StatFs> inner_;
  std::shared_ptr<StuckSet> stuck_;
};

}  // namespace tocsin::system
