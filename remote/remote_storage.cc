#include "remote/remote_storage.h"

#include <spdlog/spdlog.h>

#include <map>

#include "remote/queue_manager.h"
#include "remote/relabel.h"

namespace tocsin::remote {

Result<std::unique_ptr<QueueManager>> RemoteStorage::OpenQueue(
    const RemoteWriteConfig& c, const Labels& external_labels) const {
  auto m = QueueManager::Open({.config = c,
                               .external_labels = external_labels,
                               .queue_dir = options_.state_dir + "/remote_write/" + c.name,
                               .user_agent = options_.user_agent,
                               .clock = options_.clock,
                               .http = options_.http,
                               .metadata = options_.metadata});
  if (!m.ok()) return m.status().WithContext("remote_write " + c.name);
  return m;
}

Result<std::unique_ptr<RemoteStorage>> RemoteStorage::Open(RemoteStorageOptions options) {
  std::unique_ptr<RemoteStorage> rs(new RemoteStorage());
  rs->options_ = std::move(options);
  for (const RemoteWriteConfig& c : rs->options_.configs) {
    auto m = rs->OpenQueue(c, rs->options_.external_labels);
    if (!m.ok()) return m.status();
    rs->queues_.push_back(std::move(m).value());
  }
  if (rs->options_.set_tap && !rs->queues_.empty()) rs->options_.set_tap(rs.get());
  return rs;
}

RemoteStorage::~RemoteStorage() { Stop(); }

void RemoteStorage::Start() {
  std::shared_lock lock(mu_);
  started_ = true;
  for (auto& q : queues_) q->Start();
}

void RemoteStorage::Stop() {
  std::shared_lock lock(mu_);
  for (auto& q : queues_) q->Stop();
}

bool RemoteStorage::empty() const {
  std::shared_lock lock(mu_);
  return queues_.empty();
}

void RemoteStorage::OnCommitted(const CommittedSamples& samples) {
  std::shared_lock lock(mu_);
  for (auto& q : queues_) q->Write(samples);
}

Result<std::function<void()>> RemoteStorage::Prepare(const std::vector<RemoteWriteConfig>& configs,
                                                     const Labels& external_labels) {
  std::map<std::string, std::shared_ptr<QueueManager>> running;
  {
    std::shared_lock lock(mu_);
    for (const auto& q : queues_) running[q->config().name] = q;
  }
  struct Change {
    std::shared_ptr<QueueManager> queue;
    RemoteWriteConfig config;
    Relabeler relabeler;
  };
  auto changes = std::make_shared<std::vector<Change>>();
  auto next = std::make_shared<std::vector<std::shared_ptr<QueueManager>>>();
  auto added = std::make_shared<std::vector<std::shared_ptr<QueueManager>>>();
  for (const RemoteWriteConfig& c : configs) {
    auto it = running.find(c.name);
    if (it == running.end()) {
      auto m = OpenQueue(c, external_labels);
      if (!m.ok()) return m.status();
      std::shared_ptr<QueueManager> q = std::move(m).value();
      added->push_back(q);
      next->push_back(q);
      continue;
    }
    std::shared_ptr<QueueManager> q = it->second;
    running.erase(it);
    next->push_back(q);
    if (q->config() == c && q->external_labels() == external_labels) continue;
    Result<Relabeler> relabeler = Relabeler::Compile(c.write_relabel_configs);
    if (!relabeler.ok()) return relabeler.status().WithContext("remote_write " + c.name);
    changes->push_back({q, c, std::move(relabeler).value()});
  }
  auto removed = std::make_shared<std::vector<std::shared_ptr<QueueManager>>>();
  for (auto& [name, q] : running) removed->push_back(q);
  return std::function<void()>([this, changes, next, added, removed, external_labels, configs] {
    for (Change& c : *changes) {
      c.queue->Reconfigure(std::move(c.config), external_labels, std::move(c.relabeler));
    }
    bool started;
    {
      std::unique_lock lock(mu_);
      queues_ = *next;
      options_.configs = configs;
      options_.external_labels = external_labels;
      started = started_;
    }
    if (options_.set_tap) options_.set_tap(next->empty() ? nullptr : this);
    if (started) {
      for (auto& q : *added) q->Start();
    }
    // Outside the lock: a stop waits for an attempt in flight (up to remote_timeout).
    for (auto& q : *removed) {
      q->Stop();
      spdlog::info("remote_write {}: removed from the configuration; its queue stays on disk",
                   q->config().name);
    }
  });
}

RemoteWriteStats RemoteStorage::Stats() const {
  std::shared_lock lock(mu_);
  RemoteWriteStats s;
  for (const auto& q : queues_) s.queues.push_back(q->Stats());
  return s;
}

}  // namespace tocsin::remote
