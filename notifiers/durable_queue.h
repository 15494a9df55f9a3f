// DurableQueue: the on-disk half of one integration's delivery queue. Each notification is one
// file `<dir>/<seq>.ntf` written temp + fsync + rename + fsync of the directory before Write()
// returns, and unlinked (then the directory fsynced) once delivered, superseded or given up;
// so a notification accepted before a crash (kill -9) or restart is found again by Recover().
// Delivery is at-least-once: a crash between a send and its Remove sends it again.
//
// An empty dir keeps everything in memory (no durability). NextSeq and Recover are called under
// the worker's lock; Write and Remove touch only distinct files and may run outside it (so a
// slow disk holds up no lock).
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
  // sequence order. Unreadable files are skipped and counted in *corrupt. Of several
  // notifications of one alert group only the newest is kept (it carries the whole group state;
  // the older ones are unlinked, as a running worker would have superseded them).
  Result<std::vector<QueuedNotification>> Recover(size_t* corrupt);
  uint64_t NextSeq() { return next_seq_++; }
  // Writes item's file (its seq from NextSeq).
  Status Write(const QueuedNotification& item) const;
  void Remove(const std::vector<uint64_t>& seqs) const;
  bool durable() const { return !dir_.empty(); }
  const std::string& dir() const { return dir_; }

 private:
  std::string PathFor(uint64_t seq) const;
  std::string dir_;
  uint64_t next_seq_ = 1;
};

}  // namespace tocsin
