#include "notifiers/durable_queue.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "notifiers/file_util.h"

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
  return out;
}

Status DurableQueue::Append(QueuedNotification* item) {
  item->seq = next_seq_++;
  if (dir_.empty()) return Status::Ok();
  std::string content =
      std::to_string(item->enqueued_at) + "\n" + NotificationToJsonString(item->notification);
  return WriteFileAtomic(PathFor(item->seq), content);
}

void DurableQueue::Remove(uint64_t seq) {
  if (dir_.empty()) return;
  ::unlink(PathFor(seq).c_str());
}

}  // namespace tocsin
