// RemoteStorage: the remote_write stage. Implements the store's SampleTap by handing each
// commit to every configured endpoint's QueueManager (each with its own durable queue under
// <state_dir>/remote_write/<name>/), and reports their statistics.
//
// A reload applies `remote_write:` and `global.external_labels` (Prepare): an endpoint whose
// configuration is unchanged keeps running untouched, a changed one is reconfigured in place on
// its durable queue (queue_manager.h Reconfigure), a new name gets a new queue, a removed one
// stops (its directory stays; the name coming back resumes it). Thread-safety: OnCommitted and
// Stats from any thread; Start, Stop and Prepare (and the swap it returns) from the wiring
// thread. Owns its queue managers; the clock and HTTP client must outlive it.
#pragma once

#include <functional>
#include <memory>
#include <shared_mutex>
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
  // Installs (this) or removes (null) the store's sample tap: set while any endpoint is
  // configured, so that a store without remote_write collects nothing for it.
  std::function<void(SampleTap*)> set_tap;
};

class RemoteStorage final : public SampleTap {
 public:
  static Result<std::unique_ptr<RemoteStorage>> Open(RemoteStorageOptions options);
  ~RemoteStorage() override;

  void Start();
  void Stop();
  void OnCommitted(const CommittedSamples& samples) override;
  RemoteWriteStats Stats() const;
  // A reload's remote_write: validates it and opens the queues of new names (an error changes
  // nothing); the returned swap, which cannot fail, applies it.
  Result<std::function<void()>> Prepare(const std::vector<RemoteWriteConfig>& configs,
                                        const Labels& external_labels);
  bool empty() const;

 private:
  RemoteStorage() = default;
  Result<std::unique_ptr<QueueManager>> OpenQueue(const RemoteWriteConfig& c,
                                                  const Labels& external_labels) const;
  RemoteStorageOptions options_;
  mutable std::shared_mutex mu_;  // queues_: shared by commits and Stats, unique by a swap
  std::vector<std::shared_ptr<QueueManager>> queues_;
  bool started_ = false;
};

}  // namespace tocsin::remote
