// RemoteStorage: the remote_write stage. Implements the store's SampleTap by handing each
// commit to every configured endpoint's QueueManager (each with its own durable queue under
// <state_dir>/remote_write/<name>/), and reports their statistics.
//
// The configuration is applied once at start; a reload that changes `remote_write:` is logged
// and needs a restart. Thread-safety: OnCommitted and Stats from any thread; Start and Stop from
// the wiring thread. Owns its queue managers; the clock and HTTP client must outlive it.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "agent/config/remote_write_config.h"
#include "agent/core/clock.h"
#include "agent/core/labels.h"
#include "agent/core/status.h"
#include "agent/http_client/http_client.h"
#include "agent/store/queryable.h"
#include "agent/store/sample_tap.h"
#include "remote/stats.h"

namespace tocsin::remote {

class QueueManager;

struct RemoteStorageOptions {
  std::vector<RemoteWriteConfig> configs;
  Labels external_labels;  // global.external_labels
  std::string state_dir;
  std::string user_agent;
  const Clock* clock = nullptr;
  HttpClient* http = nullptr;
  // The store's metric metadata, for Remote-Write 2.0 (queue_manager.h MetadataSource).
  std::function<std::vector<FamilyMetadata>()> metadata;
};

class RemoteStorage final : public SampleTap {
 public:
  static Result<std::unique_ptr<RemoteStorage>> Open(RemoteStorageOptions options);
  ~RemoteStorage() override;

  void Start();
  void Stop();
  void OnCommitted(const CommittedSamples& samples) override;
  RemoteWriteStats Stats() const;
  // At a reload: logs a warning when `remote_write` or the external labels differ from what
  // the running queues use (they change only at a restart).
  void WarnIfChanged(const std::vector<RemoteWriteConfig>& configs,
                     const Labels& external_labels) const;
  bool empty() const { return queues_.empty(); }

 private:
  RemoteStorage() = default;
  std::vector<RemoteWriteConfig> configs_;
  Labels external_labels_;
  std::vector<std::unique_ptr<QueueManager>> queues_;
};

}  // namespace tocsin::remote
