#include "collectors/system/statfs.h"

#include <sys/statvfs.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <optional>
#include <thread>
#include <utility>

namespace tocsin::system {
namespace {

class RealStatFs final : public StatFs {
 public:
  Result<FsStats> Stat(const std::string& path) override {
    struct statvfs buf;
    if (::statvfs(path.c_str(), &buf) != 0) {
      return Internal("statvfs " + path + ": " + std::strerror(errno));
    }
    FsStats s;
    s.block_size = buf.f_frsize != 0 ? buf.f_frsize : buf.f_bsize;
    s.blocks = buf.f_blocks;
    s.blocks_free = buf.f_bfree;
    s.blocks_avail = buf.f_bavail;
    s.files = buf.f_files;
    s.files_free = buf.f_ffree;
    return s;
  }
};

// State shared by the waiting caller and the helper thread.
struct Call {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  bool abandoned = false;
  std::optional<Result<FsStats>> result;
};

}  // namespace

std::shared_ptr<StatFs> MakeRealStatFs() { return std::make_shared<RealStatFs>(); }

TimedStatFs::TimedStatFs(std::shared_ptr<StatFs> inner)
    : inner_(std::move(inner)), stuck_(std::make_shared<StuckSet>()) {}

size_t TimedStatFs::stuck_count() const {
  std::lock_guard<std::mutex> lock(stuck_->mu);
  return stuck_->paths.size();
}

Result<FsStats> TimedStatFs::Stat(const std::string& path,
                                  std::chrono::steady_clock::time_point deadline) {
  {
    std::lock_guard<std::mutex> lock(stuck_->mu);
    if (stuck_->paths.count(path) != 0) {
      return DeadlineExceeded("statvfs " + path + ": an earlier call is still blocked");
    }
  }
  auto call = std::make_shared<Call>();
  try {
    std::thread([inner = inner_, stuck = stuck_, call, path] {
      Result<FsStats> r = inner->Stat(path);
      std::lock_guard<std::mutex> lock(call->mu);
      call->done = true;
      if (call->abandoned) {
        std::lock_guard<std::mutex> stuck_lock(stuck->mu);
        stuck->paths.erase(path);
      } else {
        call->result.emplace(std::move(r));
      }
      call->cv.notify_all();
    }).detach();
  } catch (const std::system_error& e) {
    return Internal(std::string("statvfs: cannot start a thread: ") + e.what());
  }
  std::unique_lock<std::mutex> lock(call->mu);
  if (!call->cv.wait_until(lock, deadline, [&] { return call->done; })) {
    call->abandoned = true;
    std::lock_guard<std::mutex> stuck_lock(stuck_->mu);
    stuck_->paths.insert(path);
    return DeadlineExceeded("statvfs " + path + ": timed out");
  }
  return std::move(*call->result);
}

}  // namespace tocsin::system
