#include "agent/config/remote_write_section.h"

#include <cctype>
#include <cstdio>
#include <set>
#include <string>

#include "agent/core/fnv.h"
#include "agent/core/labels.h"

namespace tocsin {
namespace {

constexpr std::string_view kWriteV1 = kRemoteWriteV1Message;
constexpr std::string_view kWriteV2 = kRemoteWriteV2Message;

Status MustBeRelabelAction(const std::string& a) {
  static const std::set<std::string> kActions = {"replace",   "keep",      "drop",     "keepequal",
                                                 "dropequal", "hashmod",   "labelmap", "labeldrop",
                                                 "labelkeep", "lowercase", "uppercase"};
  if (kActions.contains(a)) return Status::Ok();
  return InvalidArgument("unknown relabel action \"" + a + "\"");
}

Status MustBeProtobufMessage(const std::string& m) {
  if (m == kWriteV1) return Status::Ok();
  if (m == kWriteV2) return Status::Ok();
  return InvalidArgument("must be " + std::string(kWriteV1) + " or " + std::string(kWriteV2));
}

// Headers Prometheus refuses to let users override (the protocol's own).
Status MustBeUserHeader(const std::string& name) {
  static const std::set<std::string> kReserved = {"authorization",
                                                  "host",
                                                  "content-encoding",
                                                  "content-length",
                                                  "content-type",
                                                  "user-agent",
                                                  "connection",
                                                  "keep-alive",
                                                  "proxy-authenticate",
                                                  "proxy-authorization",
                                                  "www-authenticate",
                                                  "retry-after",
                                                  "x-prometheus-remote-write-version"};
  std::string lower;
  for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (kReserved.contains(lower)) return InvalidArgument(name + " is a reserved header");
  return Status::Ok();
}

void RefuseInlineSecret(MapReader& r, std::string_view key, std::string_view use) {
  if (r.Take(key) != nullptr) {
    r.ErrorAtKey(key, "secrets are read from files: use " + std::string(use));
  }
}

std::string SecretFrom(MapReader& r, std::string_view key) {
  Secret s;
  return r.SecretFile(key, &s) ? s.value : std::string();
}

void BindRelabel(MapReader& r, RelabelConfig& c) {
  r.StringList("source_labels", &c.source_labels, MustBeLabelName);
  r.String("separator", &c.separator);
  r.RegexPattern("regex", &c.regex);
  size_t modulus = 0;
  if (r.UInt("modulus", &modulus)) c.modulus = modulus;
  r.String("target_label", &c.target_label);
  r.String("replacement", &c.replacement);
  if (r.String("action", &c.action); !MustBeRelabelAction(c.action).ok()) {
    r.ErrorAtKey("action", MustBeRelabelAction(c.action).message());
    return;  // the checks below depend on the action
  }
  const std::string& a = c.action;
  bool needs_target = a == "replace" || a == "hashmod" || a == "lowercase" || a == "uppercase" ||
                      a == "keepequal" || a == "dropequal";
  if (needs_target && c.target_label.empty()) {
    r.ErrorAtKey("target_label", "required for action " + a);
  }
  if (a == "hashmod" && c.modulus == 0) r.ErrorAtKey("modulus", "required for action hashmod");
  if ((a == "keep" || a == "drop" || a == "hashmod" || a == "lowercase" || a == "uppercase" ||
       a == "keepequal" || a == "dropequal") &&
      c.source_labels.empty()) {
    r.ErrorAtKey("source_labels", "required for action " + a);
  }
}

void BindQueue(MapReader& r, RemoteWriteQueueConfig& q) {
  r.UInt("capacity", &q.capacity, MustBeAtLeastOne);
  r.UInt("max_shards", &q.max_shards, MustBeAtLeastOne);
  r.UInt("min_shards", &q.min_shards, MustBeAtLeastOne);
  r.UInt("max_samples_per_send", &q.max_samples_per_send, MustBeAtLeastOne);
  r.Duration("batch_send_deadline", &q.batch_send_deadline, MustBePositive);
  r.Duration("min_backoff", &q.min_backoff, MustBePositive);
  r.Duration("max_backoff", &q.max_backoff, MustBePositive);
  r.Bool("retry_on_http_429", &q.retry_on_http_429);
  r.Duration("sample_age_limit", &q.sample_age_limit);
  size_t n = 0;
  if (r.UInt("max_queue_bytes", &n, MustBeAtLeastOne)) q.max_queue_bytes = n;
  if (r.UInt("segment_bytes", &n, [](const size_t& v) {
        return v >= 4096 ? Status::Ok() : InvalidArgument("must be at least 4096");
      })) {
    q.segment_bytes = n;
  }
  r.Duration("fsync_interval", &q.fsync_interval, MustBePositive);
  if (q.min_shards > q.max_shards) r.ErrorAtKey("min_shards", "must not exceed max_shards");
  if (q.min_backoff > q.max_backoff) r.ErrorAtKey("min_backoff", "must not exceed max_backoff");
  if (q.max_queue_bytes < 2 * q.segment_bytes) {
    r.ErrorAtKey("max_queue_bytes", "must be at least twice segment_bytes");
  }
}

void BindEntry(MapReader& r, RemoteWriteConfig& c) {
  if (!r.String("url", &c.url)) {
    r.ErrorAtKey("url", "required");
  } else if (Status st = MustBeHttpUrl(c.url); !st.ok()) {
    r.ErrorAtKey("url", st.message());
  }
  // The name is the queue's directory under state_dir: one plain path component. An invalid
  // name is kept as written (the load fails anyway) so that it is not replaced by the default.
  if (r.String("name", &c.name)) {
    bool ok = !c.name.empty() && c.name != "." && c.name != ".." && c.name.size() <= 100;
    for (char ch : c.name) {
      ok = ok &&
           (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-' || ch == '.');
    }
    if (!ok) {
      r.ErrorAtKey("name",
                   "must be 1-100 characters of [A-Za-z0-9_.-] (it names the queue's directory)");
      if (c.name.empty()) c.name = "-";
    }
  }
  r.Duration("remote_timeout", &c.remote_timeout, MustBePositive);
  r.StringMap("headers", &c.headers, MustBeUserHeader);
  r.String("protobuf_message", &c.protobuf_message, MustBeProtobufMessage);
  r.Bool("send_exemplars", &c.send_exemplars);
  int auth_methods = 0;
  if (r.Section("basic_auth", [&](MapReader& s) {
        s.String("username", &c.basic_auth_username);
        RefuseInlineSecret(s, "password", "password_file");
        c.basic_auth_password = SecretFrom(s, "password_file");
        if (c.basic_auth_username.empty()) s.ErrorAtKey("username", "required");
      })) {
    ++auth_methods;
  }
  if (r.Section("authorization", [&](MapReader& s) {
        s.String("type", &c.authorization_type);
        if (c.authorization_type == "Basic" || c.authorization_type == "basic") {
          s.ErrorAtKey("type", "use basic_auth for Basic authorization");
        }
        RefuseInlineSecret(s, "credentials", "credentials_file");
        c.authorization_credentials = SecretFrom(s, "credentials_file");
        if (c.authorization_credentials.empty()) s.ErrorAtKey("credentials_file", "required");
      })) {
    ++auth_methods;
  }
  RefuseInlineSecret(r, "bearer_token", "bearer_token_file");
  if (std::string token = SecretFrom(r, "bearer_token_file"); !token.empty()) {
    c.authorization_type = "Bearer";
    c.authorization_credentials = token;
    ++auth_methods;
  }
  if (auth_methods > 1) {
    r.ErrorAtKey("basic_auth",
                 "at most one of basic_auth, authorization and bearer_token_file may be set");
  }
  r.Section("tls_config", [&](MapReader& s) {
    s.Path("ca_file", &c.tls_ca_file);
    s.Path("cert_file", &c.tls_cert_file);
    s.Path("key_file", &c.tls_key_file);
    s.String("server_name", &c.tls_server_name);
    s.Bool("insecure_skip_verify", &c.tls_insecure_skip_verify);
    if (c.tls_cert_file.empty() != c.tls_key_file.empty()) {
      s.ErrorAtKey(c.tls_cert_file.empty() ? "cert_file" : "key_file",
                   "cert_file and key_file must be set together");
    }
  });
  r.String("proxy_url", &c.proxy_url, MustBeHttpUrl);
  r.List<RelabelConfig>("write_relabel_configs", &c.write_relabel_configs, BindRelabel);
  r.Section("queue_config", [&](MapReader& s) { BindQueue(s, c.queue_config); });
}

// Prometheus names an unnamed queue by a hash of its config; the url is what identifies it
// here (the on-disk queue directory is named after it, so it must be stable across reloads).
std::string DefaultName(const RemoteWriteConfig& c) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(Fnv1a64(c.url)));
  return std::string(buf, 6);
}

}  // namespace

void BindRemoteWrite(MapReader& r, std::vector<RemoteWriteConfig>& out) {
  r.List<RemoteWriteConfig>("remote_write", &out, BindEntry);
  std::set<std::string> names;
  for (RemoteWriteConfig& c : out) {
    if (c.name.empty()) c.name = DefaultName(c);
    if (!names.insert(c.name).second) {
      r.ErrorAtKey("remote_write", "duplicate remote_write name \"" + c.name +
                                       "\" (set distinct `name`s, or urls)");
    }
  }
}

}  // namespace tocsin
