#include "remote/remote_storage.h"

#include <spdlog/spdlog.h>

#include "remote/queue_manager.h"

namespace tocsin::remote {

Result<std::unique_ptr<RemoteStorage>> RemoteStorage::Open(RemoteStorageOptions options) {
  std::unique_ptr<RemoteStorage> rs(new RemoteStorage());
  rs->configs_ = options.configs;
  rs->external_labels_ = options.external_labels;
  for (const RemoteWriteConfig& c : options.configs) {
    auto m = QueueManager::Open({.config = c,
                                 .external_labels = options.external_labels,
                                 .queue_dir = options.state_dir + "/remote_write/" + c.name,
                                 .user_agent = options.user_agent,
                                 .clock = options.clock,
                                 .http = options.http,
                                 .metadata = options.metadata});
    if (!m.ok()) return m.status().WithContext("remote_write " + c.name);
    rs->queues_.push_back(std::move(m).value());
  }
  return rs;
}

RemoteStorage::~RemoteStorage() { Stop(); }

void RemoteStorage::Start() {
  for (auto& q : queues_) q->Start();
}

void RemoteStorage::Stop() {
  for (auto& q : queues_) q->Stop();
}

void RemoteStorage::OnCommitted(const CommittedSamples& samples) {
  for (auto& q : queues_) q->Write(samples);
}

void RemoteStorage::WarnIfChanged(const std::vector<RemoteWriteConfig>& configs,
                                  const Labels& external_labels) const {
  if (configs == configs_ && (configs.empty() || external_labels == external_labels_)) return;
  spdlog::warn(
      "remote_write or global.external_labels changed: the running remote_write queues keep "
      "their configuration until the agent restarts");
}

RemoteWriteStats RemoteStorage::Stats() const {
  RemoteWriteStats s;
  for (const auto& q : queues_) s.queues.push_back(q->Stats());
  return s;
}

}  // namespace tocsin::remote
