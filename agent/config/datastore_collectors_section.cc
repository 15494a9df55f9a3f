// Binders of collectors.postgres, collectors.redis and collectors.scylla.
#include "agent/config/datastore_collectors_section.h"

#include <set>
#include <string>

#include "agent/config/secret_file.h"
#include "agent/core/duration.h"
#include "agent/core/host_port.h"
#include "agent/core/labels.h"
#include "agent/core/regex.h"

namespace tocsin {
namespace {

Status MustBeInstanceName(const std::string& name) {
  if (name.empty()) return InvalidArgument("must not be empty");
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.';
    if (!ok) return InvalidArgument("must consist of letters, digits, '_', '-' and '.'");
  }
  return Status::Ok();
}

Status MustBeRedisAddress(const std::string& address) {
  if (address.starts_with("unix:")) {
    return address.size() > 5 ? Status::Ok() : InvalidArgument("unix: needs a socket path");
  }
  Result<HostPort> hp = ParseHostPort(address);
  if (!hp.ok()) return hp.status();
  if (hp->host.empty() || hp->port == 0) {
    return InvalidArgument("must be host:port with a host and a non-zero port, or unix:/path");
  }
  return Status::Ok();
}

Status MustBeTargetLabelName(const std::string& name) {
  if (!IsValidLabelName(name)) {
    return InvalidArgument("invalid label name \"" + name +
                           "\" (must match [a-zA-Z_][a-zA-Z0-9_]*)");
  }
  if (name.starts_with("__")) return InvalidArgument("label names starting with __ are reserved");
  return Status::Ok();
}

// The keys every datastore instance has: name, interval, timeout, labels. Checks that the
// timeout fits in the interval (a collection that outlasts it would overlap the next one).
template <typename T>
void BindCommon(MapReader& r, T& c, const GlobalConfig& global) {
  if (!r.String("name", &c.name, MustBeInstanceName)) {
    r.ErrorAtKey("name", "missing: every instance needs a unique name");
  }
  r.Duration("interval", &c.interval, MustBePositive);
  r.Duration("timeout", &c.timeout, MustBePositive);
  r.StringMap("labels", &c.labels, MustBeTargetLabelName);
  std::chrono::milliseconds interval = c.interval.count() > 0 ? c.interval : global.interval;
  if (c.timeout > interval) {
    r.ErrorAtKey("timeout",
                 "must not exceed the collection interval (" + FormatDuration(interval) + ")");
  }
}

// Instances of one type must differ in name (the store source) and in labels (else their
// series would collide).
template <typename T>
void CheckDistinct(MapReader& r, std::string_view key, const std::vector<T>& items) {
  std::set<std::string> names;
  std::set<std::map<std::string, std::string>> label_sets;
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string item = "[" + std::to_string(i) + "]";
    if (!items[i].name.empty() && !names.insert(items[i].name).second) {
      r.ErrorAtKey(key, item + ".name: duplicate name \"" + items[i].name + "\"");
    }
    if (items.size() > 1 && !label_sets.insert(items[i].labels).second) {
      r.ErrorAtKey(key, item +
                            ".labels: must differ from the other instances' labels, or "
                            "their series would collide (e.g. labels: {server: " +
                            (items[i].name.empty() ? "x" : items[i].name) + "})");
    }
  }
}

void BindPostgres(MapReader& r, PostgresCollectorConfig& c, const GlobalConfig& global) {
  BindCommon(r, c, global);
  bool has_dsn = r.String("dsn", &c.dsn, [](const std::string& s) {
    return s.empty() ? InvalidArgument("must not be empty") : Status::Ok();
  });
  // dsn_file is read like every *_file secret, by hand so that presence is known even when
  // the file cannot be read (one error, not two).
  const YamlNode* file_node = r.Take("dsn_file");
  bool has_file = file_node != nullptr;
  if (has_file) {
    if (!file_node->IsScalar() || file_node->scalar().empty()) {
      r.ErrorAt(*file_node, "dsn_file", "expected a file name");
    } else {
      Result<Secret> secret = ReadSecretFile(file_node->scalar(), r.context().base_dir);
      if (!secret.ok()) {
        r.ErrorAt(*file_node, "dsn_file", secret.status().message());
      } else {
        c.dsn_secret = std::move(secret->value);
        c.dsn_source_file = secret->source_file;
      }
    }
  }
  if (has_dsn && has_file) r.ErrorAtKey("dsn_file", "set either dsn or dsn_file, not both");
  if (!has_dsn && !has_file) r.ErrorAtKey("dsn", "missing: set dsn or dsn_file");
  r.String("sslmode", &c.sslmode, [](const std::string& s) {
    static const std::set<std::string> kModes = {"disable", "allow",     "prefer",
                                                 "require", "verify-ca", "verify-full"};
    return kModes.count(s) != 0 ? Status::Ok()
                                : InvalidArgument(
                                      "must be one of disable, allow, prefer, "
                                      "require, verify-ca, verify-full");
  });
  r.Path("sslrootcert", &c.sslrootcert);
  r.Path("sslcert", &c.sslcert);
  r.Path("sslkey", &c.sslkey);
  r.Duration("connect_timeout", &c.connect_timeout, MustBePositive);
  r.Duration("statement_timeout", &c.statement_timeout, MustBePositive);
  r.UInt("stat_statements_limit", &c.stat_statements_limit);
}

void BindRedis(MapReader& r, RedisCollectorConfig& c, const GlobalConfig& global) {
  BindCommon(r, c, global);
  r.String("address", &c.address, MustBeRedisAddress);
  r.String("username", &c.username);
  Secret password;
  if (r.SecretFile("password_file", &password)) c.password = std::move(password.value);
  if (!c.username.empty() && c.password.empty()) {
    r.ErrorAtKey("username", "an ACL username needs password_file");
  }
  if (r.Take("tls") != nullptr) {
    r.ErrorAtKey("tls",
                 "not supported: Debian 12's hiredis (0.14) has no TLS; reach a TLS-only Redis "
                 "through a local stunnel or its plain-text port on loopback");
  }
}

void BindScylla(MapReader& r, ScyllaCollectorConfig& c, const GlobalConfig& global) {
  BindCommon(r, c, global);
  r.String("metrics_url", &c.metrics_url, MustBeHttpUrl);
  r.String("api_url", &c.api_url,
           [](const std::string& s) { return s.empty() ? Status::Ok() : MustBeHttpUrl(s); });
  r.StringList("metric_families", &c.metric_families, [](const std::string& pattern) {
    return Regex::Compile(pattern, Regex::Anchoring::kFull).status();
  });
}

}  // namespace

void BindDatastoreCollectors(MapReader& r, CollectorsConfig& collectors,
                             const GlobalConfig& global) {
  if (r.List<PostgresCollectorConfig>(
          "postgres", &collectors.postgres,
          [&](MapReader& item, PostgresCollectorConfig& c) { BindPostgres(item, c, global); })) {
    CheckDistinct(r, "postgres", collectors.postgres);
  }
  if (r.List<RedisCollectorConfig>(
          "redis", &collectors.redis,
          [&](MapReader& item, RedisCollectorConfig& c) { BindRedis(item, c, global); })) {
    CheckDistinct(r, "redis", collectors.redis);
  }
  if (r.List<ScyllaCollectorConfig>(
          "scylla", &collectors.scylla,
          [&](MapReader& item, ScyllaCollectorConfig& c) { BindScylla(item, c, global); })) {
    CheckDistinct(r, "scylla", collectors.scylla);
  }
}

}  // namespace tocsin
