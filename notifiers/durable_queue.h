// DurableQueue: the on-disk half of one integration's delivery queue. Each notification is one
// file `<dir>/<seq>.ntf` written temp + fsync + rename (+ fsync of the directory) before
// Append() returns, and unlinked once delivered or given up; so a notification accepted before
// a crash (kill -9) or restart is found again by Recover(). Deleting files is the compaction.
//
// An empty dir keeps everything in memory (no durability). Used by one DeliveryWorker under its
// lock; not synchronised itself.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "agent/core/clock.h"
#include "agent/core/status.h"
#include "notifiers/notification.h"

namespace tocsin {

struct QueuedNotification {
  uint64_t seq = 0;
  TimestampMs enqueued_at = 0;
  Notification notification;
};

class DurableQueue {
 public:
  explicit DurableQueue(std::string dir) : dir_(std::move(dir)) {}

  // Creates the directory, removes leftover temp files, and returns the stored notifications in
  // sequence order. Unreadable files are skipped and counted in *corrupt.
  Result<std::vector<QueuedNotification>> Recover(size_t* corrupt);
  // Assigns item->seq and writes the file.
  Status Append(QueuedNotification* item);
  void Remove(uint64_t seq);
  bool durable() const { return !dir_.empty(); }
  const std::string& dir() const { return dir_; }

 private:
  std::string PathFor(uint64_t seq) const;
  std::string dir_;
  uint64_t next_seq_ = 1;
};

}  // namespace tocsin
