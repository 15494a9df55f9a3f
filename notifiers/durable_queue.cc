#include "notifiers/durable_queue.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <unordered_map>

#include "agent/core/file_util.h"

namespace tocsin {

std::string DurableQueue::PathFor(uint64_t seq) const {
  char name[32];
  std::snprintf(name, sizeof name, "%020llu.ntf", static_cast<unsigned long long>(seq));
  return dir_ + "/" + name;
}

Result<std::vector<QueuedNotification>> DurableQueue::Recover(size_t* corrupt) {
  std::vector<QueuedNotification> out;
  if (dir_.empty()) return out;
  TOCSIN_RETURN_IF_ERROR(MakeDirs(dir_));
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    std::string name = entry.path().filename().string();
    if (name.ends_with(".tmp")) {
      std::filesystem::remove(entry.path(), ec);
      continue;
    }
    if (!name.ends_with(".ntf")) continue;
    uint64_t seq = std::strtoull(name.c_str(), nullptr, 10);
    Result<std::string> text = ReadWholeFile(entry.path().string());
    QueuedNotification item;
    item.seq = seq;
    size_t nl = text.ok() ? text->find('\n') : std::string::npos;
    if (seq == 0 || nl == std::string::npos ||
        !NotificationFromJsonString(text->substr(nl + 1), &item.notification)) {
      ++*corrupt;
      std::filesystem::rename(entry.path(), entry.path().string() + ".corrupt", ec);
      continue;
    }
    item.enqueued_at = std::strtoll(text->c_str(), nullptr, 10);
    next_seq_ = std::max(next_seq_, seq + 1);
    out.push_back(std::move(item));
  }
  if (ec) return Internal("read queue directory " + dir_ + ": " + ec.message());
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.seq < b.seq; });
  // Newest per group wins (a crash between writing the new one and unlinking the old ones
  // leaves both).
  std::unordered_map<std::string, size_t> newest;
  for (size_t i = 0; i < out.size(); ++i) newest[out[i].notification.group_key] = i;
  std::vector<QueuedNotification> kept;
  std::vector<uint64_t> superseded;
  for (size_t i = 0; i < out.size(); ++i) {
    if (newest[out[i].notification.group_key] == i) {
      kept.push_back(std::move(out[i]));
    } else {
      superseded.push_back(out[i].seq);
    }
  }
  Remove(superseded);
  return kept;
}

Status DurableQueue::Write(const QueuedNotification& item) const {
  if (dir_.empty()) return Status::Ok();
  std::string content =
      std::to_string(item.enqueued_at) + "\n" + NotificationToJsonString(item.notification);
  return WriteFileAtomic(PathFor(item.seq), content);
}

void DurableQueue::Remove(const std::vector<uint64_t>& seqs) const {
  if (dir_.empty() || seqs.empty()) return;
  for (uint64_t seq : seqs) ::unlink(PathFor(seq).c_str());
  (void)SyncDir(dir_);  // the unlinks survive a power cut before anything else is sent
}

}  // namespace tocsin
