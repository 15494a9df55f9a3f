// RemoteWriteConfig: one `remote_write:` entry (Prometheus's shape) as a plain struct, read by
// the remote/ stage. Defaults are Prometheus 2.42's where the key exists there; tocsin's own
// keys (the durable queue's bounds) are marked. Plain values; copy freely.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace tocsin {

// One write_relabel_configs entry (Prometheus's relabel_config).
struct RelabelConfig {
  std::vector<std::string> source_labels;
  std::string separator = ";";
  std::string regex = "(.*)";
  uint64_t modulus = 0;
  std::string target_label;
  std::string replacement = "$1";
  std::string action = "replace";  // replace keep drop keepequal dropequal hashmod labelmap
                                   // labeldrop labelkeep lowercase uppercase
  friend bool operator==(const RelabelConfig&, const RelabelConfig&) = default;
};

struct RemoteWriteQueueConfig {
  size_t capacity = 2500;  // samples read ahead per shard
  size_t max_shards = 50;
  size_t min_shards = 1;
  size_t max_samples_per_send = 500;
  std::chrono::milliseconds batch_send_deadline{5000};
  std::chrono::milliseconds min_backoff{30};
  std::chrono::milliseconds max_backoff{5000};
  bool retry_on_http_429 = true;
  std::chrono::milliseconds sample_age_limit{0};  // 0 = samples never too old to send
  // tocsin: the on-disk queue's bound; over it the oldest segment is dropped (counted).
  uint64_t max_queue_bytes = 512ull << 20;
  uint64_t segment_bytes = 8ull << 20;             // tocsin: a segment is closed at this size
  std::chrono::milliseconds fsync_interval{1000};  // tocsin: appended data is fsynced this often
  friend bool operator==(const RemoteWriteQueueConfig&, const RemoteWriteQueueConfig&) = default;
};

// The Remote-Write messages (protobuf_message): 1.0's and 2.0's.
inline constexpr const char* kRemoteWriteV1Message = "prometheus.WriteRequest";
inline constexpr const char* kRemoteWriteV2Message = "io.prometheus.write.v2.Request";

struct RemoteWriteConfig {
  std::string url;
  std::string name;  // remote_name label; default: a hash of the url (as Prometheus)
  std::chrono::milliseconds remote_timeout{30000};
  std::map<std::string, std::string> headers;
  std::string protobuf_message = kRemoteWriteV1Message;  // or kRemoteWriteV2Message
  bool send_exemplars = false;
  // Authentication (at most one of basic_auth, authorization, bearer_token_file).
  std::string basic_auth_username;
  std::string basic_auth_password;  // from password or password_file; never logged
  std::string authorization_type = "Bearer";
  std::string authorization_credentials;  // from credentials or credentials_file; never logged
  // tls_config
  std::string tls_ca_file;
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_server_name;
  bool tls_insecure_skip_verify = false;
  std::string proxy_url;
  std::vector<RelabelConfig> write_relabel_configs;
  RemoteWriteQueueConfig queue_config;
  friend bool operator==(const RemoteWriteConfig&, const RemoteWriteConfig&) = default;
};

}  // namespace tocsin
