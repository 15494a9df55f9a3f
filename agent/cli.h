// Command-line parsing for the `tocsin` binary: which command, its flags and files.
// Pure function of argv; usage errors come back as a Status whose message is printed with the
// usage text (exit code 2).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "agent/core/status.h"

namespace tocsin {

enum class CliCommand {
  kRun,
  kCheckConfig,
  kCheckRules,
  kTestRules,
  kTestPromql,
  kQuery,
  kSilence,
  kVersion,
  kHelp
};

struct CliArgs {
  CliCommand command = CliCommand::kHelp;
  std::optional<std::string> config_file;  // run --config
  std::string log_level = "info";
  std::string log_target = "auto";  // auto | stderr | journal
  std::vector<std::string> files;   // check/test commands
  // check rules / test rules: promtool's flags.
  bool ignore_unknown_fields = false;
  std::string lint = "duplicate-rules";  // check rules --lint
  bool lint_fatal = false;               // check rules --lint-fatal
  std::vector<std::string> test_run;     // test rules --run (repeatable)
  // query EXPR [--time T] [--url URL]
  std::string query_expr;
  std::string query_time;  // RFC 3339 or Unix seconds; empty = now (the server's)
  std::string query_url = "http://127.0.0.1:9469";  // also the agent `silence` talks to
  // query / silence --http.config.file: Prometheus's HTTP client config (auth, TLS).
  std::string http_config_file;
  // silence add|query|expire [--author A] [--comment C] [--duration D] [--expired] ARGS...
  std::string silence_action;
  std::vector<std::string> silence_args;  // matchers (add) or IDs (expire)
  std::string silence_author;
  std::string silence_comment;
  std::chrono::milliseconds silence_duration{3600000};
  bool silence_expired = false;
};

Result<CliArgs> ParseCli(const std::vector<std::string>& args);

extern const char kUsage[];

}  // namespace tocsin
