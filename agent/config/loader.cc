// The config schema: one small binder per section, on top of MapReader. To add a section, write
// a Bind<Section>(MapReader&, <Section>Config&) function and call it from BindConfig.
#include "agent/config/loader.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "agent/config/alerting_section.h"
#include "agent/config/app_collectors_section.h"
#include "agent/config/datastore_collectors_section.h"
#include "agent/config/default_config.h"
#include "agent/config/map_reader.h"
#include "agent/config/remote_write_section.h"
#include "agent/config/rules_section.h"
#include "agent/config/web_config_file.h"
#include "agent/config/yaml.h"
#include "agent/core/duration.h"

namespace tocsin {
namespace {

void BindGlobal(MapReader& r, GlobalConfig& global) {
  r.Duration("interval", &global.interval, MustBePositive);
  r.Duration("retention", &global.retention, MustBePositive);
  r.StringMap("external_labels", &global.external_labels, MustBeLabelName);
  r.StringMap("target_labels", &global.target_labels, MustBeLabelName);
  if (global.retention < global.interval) {
    r.ErrorAtKey("retention",
                 "must be at least global.interval (" + FormatDuration(global.interval) + ")");
  }
}

void BindWeb(MapReader& r, WebConfig& web) {
  r.String("listen_address", &web.listen_address, MustBeListenAddress);
  r.Duration("query_timeout", &web.query_timeout, MustBePositive);
  // Each slot (and each waiter) may hold an HTTP worker thread: keep the pool bounded.
  r.UInt("max_concurrent_queries", &web.max_concurrent_queries, [](const size_t& n) {
    return n >= 1 && n <= 1000 ? Status::Ok() : InvalidArgument("must be between 1 and 1000");
  });
  r.Bool("enable_lifecycle", &web.enable_lifecycle);
  r.Path("config_file", &web.config_file);
}

void BindStorage(MapReader& r, StorageConfig& storage) {
  r.UInt("max_series", &storage.max_series, MustBeAtLeastOne);
  r.UInt("max_series_per_source", &storage.max_series_per_source, MustBeAtLeastOne);
}

void BindSystemCollector(MapReader& r, SystemCollectorConfig& system, const GlobalConfig& global) {
  system.enabled = true;  // the section's presence switches the collector on
  r.Path("procfs", &system.procfs);
  r.Path("sysfs", &system.sysfs);
  r.Path("rootfs", &system.rootfs);
  r.Duration("interval", &system.interval);
  r.Duration("timeout", &system.timeout);
  r.RegexPattern("fs_types_exclude", &system.fs_types_exclude);
  r.RegexPattern("mount_points_exclude", &system.mount_points_exclude);
  r.RegexPattern("netdev_exclude", &system.netdev_exclude);
  r.RegexPattern("diskstats_exclude", &system.diskstats_exclude);
  r.RegexPattern("netstat_fields", &system.netstat_fields);
  r.RegexPattern("netclass_exclude", &system.netclass_exclude);
  r.RegexPattern("arp_exclude", &system.arp_exclude);
  r.RegexPattern("arp_include", &system.arp_include);
  r.RegexPattern("vmstat_fields", &system.vmstat_fields);
  r.RegexPattern("powersupply_ignored", &system.powersupply_ignored);
  r.String("ipvs_backend_labels", &system.ipvs_backend_labels);
  // A collection that may outlast its interval would overlap the next one.
  std::chrono::milliseconds interval =
      system.interval.count() > 0 ? system.interval : global.interval;
  if (system.timeout > interval) {
    r.ErrorAtKey("timeout",
                 "must not exceed the collection interval (" + FormatDuration(interval) + ")");
  }
}

void BindCollectors(MapReader& r, CollectorsConfig& collectors, const GlobalConfig& global) {
  r.Section("system", [&](MapReader& s) { BindSystemCollector(s, collectors.system, global); });
  BindAppCollectors(r, collectors, global);
  BindDatastoreCollectors(r, collectors, global);
}

// An empty target `instance` names this agent as a Prometheus scraping it would: the host name
// and the port it listens on.
void ResolveTargetInstance(Config& config) {
  auto it = config.global.target_labels.find("instance");
  if (it == config.global.target_labels.end() || !it->second.empty()) return;
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') {
    std::snprintf(host, sizeof host, "localhost");
  }
  const std::string& listen = config.web.listen_address;
  const size_t colon = listen.rfind(':');
  it->second = std::string(host) + (colon == std::string::npos ? "" : listen.substr(colon));
}

// The top level. `global` is bound first whatever the document order: other sections default
// to its interval.
void BindConfig(MapReader& r, Config& config) {
  r.Section("global", [&](MapReader& s) { BindGlobal(s, config.global); });
  r.Section("web", [&](MapReader& s) { BindWeb(s, config.web); });
  r.Path("state_dir", &config.state_dir);
  r.Section("storage", [&](MapReader& s) { BindStorage(s, config.storage); });
  r.Section("collectors",
            [&](MapReader& s) { BindCollectors(s, config.collectors, config.global); });
  // "builtin:<name>" names a rule pack compiled into the binary (rules/builtin_packs.h), not a
  // path: kept as written rather than resolved against the config's directory.
  r.PathList("rule_files", &config.rule_files, "builtin:");
  r.Section("rules", [&](MapReader& s) { BindRules(s, config.rules); });
  BindScrapeConfigs(r, config.scrape_configs, config.global);
  BindRemoteWrite(r, config.remote_write);
  r.Section("alerting", [&](MapReader& s) { BindAlerting(s, config.alerting); });
}

// POSIX reads, not ifstream: a directory must fail with EISDIR rather than read as empty.
Status ReadConfigFile(const std::string& path, std::string& out) {
  auto fail = [&](int err) {
    return InvalidArgument(path + ": cannot read config file: " + std::strerror(err));
  };
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(errno);
  char buf[16384];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return fail(err);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return Status::Ok();
}

Result<Config> Load(std::string_view text, std::string_view source, std::string base_dir) {
  bool had_more_documents = false;
  Result<YamlNode> document = ParseYaml(text, source, &had_more_documents);
  if (!document.ok()) return document.status();

  LoadContext context{ErrorList(std::string(source)), std::move(base_dir)};
  Config config;
  config.source_file = std::string(source);
  MapReader root(*document, "", context);
  BindConfig(root, config);
  root.ReportUnknownKeys();
  if (!context.errors.empty()) return context.errors.ToStatus();
  ResolveTargetInstance(config);
  // web.config_file's own errors are positioned in that file.
  if (!config.web.config_file.empty()) {
    auto security = LoadWebConfigFile(config.web.config_file);
    if (!security.ok()) return security.status();
    config.web.security = std::move(security).value();
  }

  if (had_more_documents) {
    config.warnings.push_back(std::string(source) +
                              ": only the first YAML document is used; the others are ignored");
  }
  return config;
}

}  // namespace

Result<Config> LoadConfigFile(const std::string& path) {
  std::string text;
  if (Status read = ReadConfigFile(path, text); !read.ok()) return read;
  // Absolute, so that relative paths inside keep meaning the same if the working dir changes.
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::absolute(path, ec).parent_path();
  return Load(text, path, ec ? std::string() : dir.string());
}

Result<Config> LoadConfigString(std::string_view text, std::string_view source_name) {
  std::string base_dir;
  if (!source_name.starts_with('<')) {
    base_dir = std::filesystem::path(std::string(source_name)).parent_path().string();
  }
  return Load(text, source_name, std::move(base_dir));
}

Result<Config> LoadDefaultConfig() {
  return LoadConfigString(DefaultConfigText(), kBuiltInConfigSource);
}

}  // namespace tocsin
