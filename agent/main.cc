// tocsin's entry point: parses the command line and wires the stages together. No logic lives
// here beyond handing each stage its neighbours.
#include <malloc.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "agent/build_info.h"
#include "agent/cli.h"
#include "agent/cli_http_config.h"
#include "agent/cli_query.h"
#include "agent/cli_silence.h"
#include "agent/config/loader.h"
#include "agent/core/clock.h"
#include "agent/http/api_exemplars.h"
#include "agent/http/api_format_query.h"
#include "agent/http/api_labels.h"
#include "agent/http/api_metadata.h"
#include "agent/http/api_query.h"
#include "agent/http/api_rules.h"
#include "agent/http/api_status.h"
#include "agent/http/exporter.h"
#include "agent/http/routes.h"
#include "agent/http/server.h"
#include "agent/http/tls_listener.h"
#include "agent/http/web_security.h"
#include "agent/http_client/http_client.h"
#include "agent/promql/test_script.h"
#include "agent/runtime/daemon.h"
#include "agent/runtime/logging.h"
#include "agent/runtime/scheduler.h"
#include "agent/runtime/signals.h"
#include "agent/runtime/socket_activation.h"
#include "agent/runtime/state_dir.h"
#include "agent/runtime/systemd_notify.h"
#include "agent/store/series_store.h"
#include "collectors/function_collector.h"
#include "collectors/process/process_collector.h"
#include "collectors/registry.h"
#include "notifiers/alert_delivery.h"
#include "remote/remote_storage.h"
#include "rules/check_rules.h"
#include "rules/manager.h"
#include "rules/retention_check.h"
#include "rules/rule_file.h"
#include "rules/test_rules.h"

namespace tocsin {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;
constexpr int kExitConfig = 78;  // EX_CONFIG: systemd's RestartPreventExitStatus stops a loop
// The store source (and `collector` label) of the agent's own tocsin_* series.
constexpr std::string_view kSelfMetricsSource = "tocsin";

// global.external_labels as Labels (remote_write applies them to every series it sends).
Labels ExternalLabels(const Config& config) {
  std::vector<Label> ext;
  for (const auto& [k, v] : config.global.external_labels) ext.push_back({k, v});
  return Labels::FromUnsorted(std::move(ext));
}

// The rule manager's settings from a daemon configuration (rule_files, global.interval,
// global.external_labels, the `rules:` section): config and rules meet only here.
rules::ManagerSettings RuleManagerSettings(const Config& config) {
  rules::ManagerSettings s;
  s.rule_files = config.rule_files;
  s.default_interval = config.global.interval;
  std::vector<Label> ext;
  for (const auto& [k, v] : config.global.external_labels) ext.push_back({k, v});
  s.external_labels = Labels::FromUnsorted(std::move(ext));
  s.external_url = config.rules.external_url;
  s.resend_delay = config.rules.resend_delay;
  s.outage_tolerance = config.rules.outage_tolerance;
  s.grace_period = config.rules.grace_period;
  s.event_driven = config.rules.event_driven;
  s.retention = config.global.retention;
  return s;
}

Result<Config> LoadConfig(const CliArgs& args) {
  if (args.config_file) return LoadConfigFile(*args.config_file);
  return LoadDefaultConfig();
}

int RunDaemon(const CliArgs& args) {
  BlockDaemonSignals();  // before any thread exists, so every thread inherits the mask
  LogTarget target = args.log_target == "journal"  ? LogTarget::kJournal
                     : args.log_target == "stderr" ? LogTarget::kStderr
                                                   : LogTarget::kAuto;
  if (Status st = SetupLogging(target, args.log_level); !st.ok()) {
    std::cerr << "tocsin: " << st.message() << "\n";
    return kExitUsage;
  }
  auto config = LoadConfig(args);
  if (!config.ok()) {
    spdlog::error("invalid configuration:\n{}", config.status().message());
    return kExitConfig;
  }
  auto state_dir = ResolveStateDir(config->state_dir);
  if (!state_dir.ok()) {
    spdlog::error("{}", state_dir.status().message());
    return kExitConfig;
  }
  for (const std::string& warning : config->warnings) spdlog::warn("{}", warning);
  spdlog::info("tocsin {} (revision {}) starting; config {}; state dir {}", TOCSIN_VERSION,
               TOCSIN_REVISION, config->source_file, *state_dir);

  const Clock& clock = SystemClock::Instance();
  const TimestampMs start_time = clock.NowMs();
  const std::chrono::milliseconds retention = config->global.retention;
  SeriesStore store(StoreOptions{.retention = config->global.retention,
                                 .max_series = config->storage.max_series,
                                 .max_series_per_source = config->storage.max_series_per_source});
  SystemdNotifier notifier;
  // Taken before any thread starts (it unsets LISTEN_*); a socket we cannot serve on is a
  // configuration error of the socket unit.
  auto inherited = TakeInheritedListener();
  if (!inherited.ok()) {
    spdlog::error("socket activation: {}", inherited.status().message());
    return kExitConfig;
  }
  std::optional<InheritedListener> inherited_listener = *inherited;
  Scheduler scheduler(store, clock);
  scheduler.AddHousekeeping(std::chrono::minutes(1), [&] {
    store.Compact(clock.NowMs());
    // What Compact freed (and what bursts of queries, scrapes and reloads freed since) stays
    // in glibc's arenas, counted in RSS, unless handed back; once a minute is cheap.
    ::malloc_trim(0);
  });

  // Alert delivery: routing, grouping, silences and the durable notification queue.
  CurlHttpClient http_client;

  // remote_write: every commit's samples go to the durable queues through the store's tap.
  auto remote_storage = remote::RemoteStorage::Open(
      {.configs = config->remote_write,
       .external_labels = ExternalLabels(*config),
       .state_dir = *state_dir,
       .user_agent = std::string("tocsin/") + TOCSIN_VERSION,
       .clock = &clock,
       .http = &http_client,
       .metadata = [&store] { return store.NewQuerier(0, 0)->ListMetadata(); },
       .set_tap = [&store](SampleTap* tap) { store.SetSampleTap(tap); }});
  if (!remote_storage.ok()) {
    spdlog::error("{}", remote_storage.status().message());
    return kExitFailed;
  }
  AlertDelivery delivery(clock, http_client, *state_dir);

  promql::Engine rule_engine;
  rules::Manager rule_manager({.engine = &rule_engine,
                               .store = &store,
                               .clock = &clock,
                               .state_dir = *state_dir,
                               .notify = delivery.AsNotifyFn(),
                               .log_handoff = true});
  store.SetCommitListener([&rule_manager](std::string_view s, const CommitNames& names) {
    rule_manager.OnCommit(s, names);
  });

  DaemonHooks hooks;
  hooks.load_config = [&args] { return LoadConfig(args); };
  // The configured collectors, and the agent's own process_* and tocsin_* series beside them
  // (the exporter is created below, before the daemon starts any collector).
  const Exporter* self_metrics = nullptr;
  hooks.build_collectors =
      [&self_metrics](const Config& c) -> Result<std::vector<ScheduledCollector>> {
    auto collectors = BuildCollectors(c);
    if (!collectors.ok()) return collectors;
    collectors->push_back({MakeProcessCollector(), c.global.interval, c.global.interval});
    auto append_self = [&self_metrics](const CollectContext&, Appender& out) {
      return self_metrics ? self_metrics->AppendSelfMetrics(out) : Status::Ok();
    };
    collectors->push_back({MakeFunctionCollector(std::string(kSelfMetricsSource), append_self),
                           c.global.interval, c.global.interval});
    return collectors;
  };
  hooks.prepare_rules = [&rule_manager](const Config& c) {
    return rule_manager.Prepare(RuleManagerSettings(c));
  };
  hooks.prepare_alerting = [&delivery](const Config& c) {
    return delivery.Prepare(c.alerting, c.global.external_labels);
  };
  hooks.prepare_remote_write = [&rs = **remote_storage](const Config& c) {
    return rs.Prepare(c.remote_write, ExternalLabels(c));
  };
  // web.config_file: TLS, basic auth and headers, installed by the daemon at start and reload.
  WebSecurity web_security;
  hooks.prepare_web = [&web_security](const Config& c) {
    return web_security.Prepare(c.web.security);
  };
  const WebConfig web = config->web;
  Daemon daemon(std::move(config).value(), hooks, scheduler, notifier, clock);

  QueryGate query_gate({.max_concurrent = web.max_concurrent_queries,
                        .max_waiting = web.max_concurrent_queries,
                        .timeout = web.query_timeout});
  Exporter exporter({.store = &store,
                     .clock = &clock,
                     .collectors = [&scheduler] { return scheduler.Stats(); },
                     .reload = [&daemon] { return daemon.reload_status(); },
                     .rules = [&rule_manager] { return rule_manager.Snapshot(); },
                     .delivery = [&delivery] { return delivery.Stats(); },
                     .remote_write = [&rs = **remote_storage] { return rs.Stats(); },
                     .target_labels = [&daemon] { return TargetLabels(*daemon.config()); },
                     .build = {TOCSIN_VERSION, TOCSIN_REVISION, TOCSIN_COMPILER},
                     .query_gate = &query_gate});
  self_metrics = &exporter;
  promql::Engine engine;
  HttpServer server;
  RegisterQueryApi(server,
                   {.engine = &engine, .data = &store, .clock = &clock, .gate = &query_gate});
  RegisterRulesApi(server, [&rule_manager] { return rule_manager.Snapshot(); });
  RegisterLabelsApi(server, &store);
  RegisterMetadataApi(server, &store);
  RegisterExemplarsApi(server);
  RegisterFormatQueryApi(server);
  RegisterStatusApi(server, {.build = {.tocsin_version = TOCSIN_VERSION,
                                       .revision = TOCSIN_REVISION,
                                       .branch = TOCSIN_BRANCH,
                                       .build_user = TOCSIN_BUILD_USER,
                                       .build_date = TOCSIN_BUILD_DATE,
                                       .compiler = TOCSIN_COMPILER},
                             .clock = &clock,
                             .start_time = start_time,
                             .reload = [&daemon] { return daemon.reload_status(); },
                             .retention = retention,
                             .flags = {{"config", args.config_file.value_or("")},
                                       {"log.level", args.log_level},
                                       {"log.target", args.log_target}}});
  RegisterSilencesApi(server, [&delivery](const ServerRequest& r) {
    ApiResponse a = delivery.HandleSilencesApi(r.method, r.path, r.query, r.body);
    return ServerResponse{a.status, a.content_type, a.body, {}};
  });
  RegisterRoutes(server, {.exporter = &exporter,
                          .ready = [&scheduler] { return scheduler.AllCollectedOnce(); },
                          .reload = [&daemon] { return daemon.Reload(); },
                          .enable_lifecycle = web.enable_lifecycle});
  server.SetFilter([&web_security](const ServerRequest& r) { return web_security.Filter(r); });
  (*remote_storage)->Start();
  if (Status st = daemon.Start(); !st.ok()) {
    spdlog::error("cannot start: {}", st.message());
    return kExitConfig;
  }
  rule_manager.Start();
  std::string serving = web.listen_address;
  if (inherited_listener) {
    server.AdoptListener(inherited_listener->fd);
    serving = inherited_listener->address;
    spdlog::info(
        "socket activation: serving on the socket systemd passed in ({}); "
        "web.listen_address {} is not bound",
        serving, web.listen_address);
  }
  if (web_security.tls_enabled()) server.SetTls(web_security.tls()->ssl_ctx());
  if (Status st = server.Start(web.listen_address, static_cast<int>(query_gate.ThreadsNeeded()));
      !st.ok()) {
    spdlog::error("{}", st.message());
    daemon.Stop();
    return kExitFailed;
  }
  spdlog::info("listening on {} (port {}, {})", serving, server.port(),
               web_security.tls_enabled() ? "HTTPS" : "HTTP");
  notifier.Ready("Running; serving /metrics on " + serving);
  daemon.RunUntilStopped();
  notifier.Stopping();
  server.Stop();
  rule_manager.Stop();
  delivery.Stop();
  daemon.Stop();
  (*remote_storage)->Stop();  // after the collectors: their last commits are queued
  spdlog::info("stopped");
  return kExitOk;
}

int CheckConfig(const std::string& file) {
  std::cout << "Checking " << file << "\n";
  auto config = LoadConfigFile(file);
  if (!config.ok()) {
    std::cerr << config.status().message() << "\n";
    std::cout << "  FAILED: configuration is invalid\n";
    return kExitFailed;
  }
  // web.config_file's certificates and keys, loaded as the daemon would.
  if (config->web.security.tls.enabled) {
    if (auto tls = BuildTlsContext(config->web.security.tls); !tls.ok()) {
      std::cerr << tls.status().message() << "\n";
      std::cout << "  FAILED: web config file is invalid\n";
      return kExitFailed;
    }
  }
  int listeners = 0;
  auto collectors = BuildCollectors(*config, {.bind_listeners = false, .skipped = &listeners});
  if (!collectors.ok()) {
    std::cerr << file << ": " << collectors.status().message() << "\n";
    std::cout << "  FAILED: configuration is invalid\n";
    return kExitFailed;
  }
  // The rule files the configuration names, as the daemon would load them.
  auto rule_files = rules::ExpandRuleFileGlobs(config->rule_files);
  if (!rule_files.ok()) {
    std::cerr << file << ": " << rule_files.status().message() << "\n";
    std::cout << "  FAILED: configuration is invalid\n";
    return kExitFailed;
  }
  bool rules_ok = true;
  size_t rule_count = 0;
  std::vector<std::string> warnings;
  for (const auto& f : *rule_files) {
    rules::RuleFileLoad load = rules::LoadRuleFile(f);
    for (const auto& e : load.errors) std::cerr << e << "\n";
    rules_ok = rules_ok && load.ok();
    rule_count += load.file.RuleCount();
    for (const auto& w : rules::RulesReadingPastRetention(load.file, config->global.retention)) {
      warnings.push_back(rules::FormatRetentionFinding(w, config->global.retention));
    }
  }
  if (!rules_ok) {
    std::cout << "  FAILED: rule files are invalid\n";
    return kExitFailed;
  }
  for (const auto& w : warnings) std::cout << "  WARNING: " << w << "\n";
  std::cout << "  SUCCESS: " << collectors->size() + static_cast<size_t>(listeners)
            << " collector(s), " << rule_count << " rule(s) in " << rule_files->size()
            << " rule file(s)\n";
  return kExitOk;
}

// The client `query` and `silence` use: `curl`, or `curl` with --http.config.file applied
// (whose errors are printed here).
Result<std::unique_ptr<HttpClient>> ClientFor(const CliArgs& args, CurlHttpClient& curl) {
  struct Borrowed final : HttpClient {
    explicit Borrowed(HttpClient& c) : inner(c) {}
    HttpResponse Do(const HttpRequest& r) override { return inner.Do(r); }
    HttpClient& inner;
  };
  if (args.http_config_file.empty()) return std::unique_ptr<HttpClient>(new Borrowed(curl));
  auto config = LoadHttpClientConfigFile(args.http_config_file);
  if (!config.ok()) {
    std::cerr << "tocsin: --http.config.file: " << config.status().message() << "\n";
    return config.status();
  }
  return std::unique_ptr<HttpClient>(new ConfiguredHttpClient(curl, std::move(config).value()));
}

// glibc gives each thread that contends for the heap an arena of its own, up to 8 per core,
// and each keeps its high-water mark: the soak (tests/soak/run.sh 600) measured arenas holding
// 1032 MiB with 815 MiB of it free under 60 threads, against 359 MiB held (144 MiB free) with
// two arenas and no slower evaluation, queries or StatsD. MALLOC_ARENA_MAX, when set, still
// decides.
void LimitMallocArenas() {
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr) ::mallopt(M_ARENA_MAX, 2);
}

int Main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto cli = ParseCli(args);
  if (!cli.ok()) {
    std::cerr << "tocsin: " << cli.status().message() << "\n\n" << kUsage;
    return kExitUsage;
  }
  switch (cli->command) {
    case CliCommand::kRun:
      LimitMallocArenas();
      return RunDaemon(*cli);
    case CliCommand::kCheckConfig:
      return CheckConfig(cli->files[0]);
    case CliCommand::kSilence: {
      CurlHttpClient curl;
      auto client = ClientFor(*cli, curl);
      if (!client.ok()) return kExitUsage;
      return RunSilenceCommand(*cli, **client, SystemClock::Instance(), std::cout, std::cerr);
    }
    case CliCommand::kVersion:
      std::cout << "tocsin, version " << TOCSIN_VERSION << " (revision: " << TOCSIN_REVISION
                << ")\n  compiler: " << TOCSIN_COMPILER << "\n";
      return kExitOk;
    case CliCommand::kHelp:
      std::cout << kUsage;
      return kExitOk;
    case CliCommand::kCheckRules:
      return rules::RunCheckRules(cli->files,
                                  {.lint_duplicates = cli->lint != "none",
                                   .lint_fatal = cli->lint_fatal,
                                   .ignore_unknown_fields = cli->ignore_unknown_fields},
                                  std::cout, std::cerr);
    case CliCommand::kTestRules:
      return rules::RunTestRules(
          cli->files, {.run = cli->test_run, .ignore_unknown_fields = cli->ignore_unknown_fields},
          std::cout, std::cerr);
    case CliCommand::kTestPromql:
      return promql::RunPromqlTestFiles(cli->files, std::cout);
    case CliCommand::kQuery: {
      CurlHttpClient curl;
      auto client = ClientFor(*cli, curl);
      if (!client.ok()) return kExitUsage;
      return RunQueryCommand(*cli, **client, std::cout, std::cerr);
    }
  }
  return kExitUsage;
}

}  // namespace
}  // namespace tocsin

int main(int argc, char** argv) { return tocsin::Main(argc, argv); }
