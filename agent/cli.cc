#include "agent/cli.h"

#include <cstdlib>

#include "agent/core/duration.h"

namespace tocsin {

const char kUsage[] = R"(usage: tocsin <command> [<args>]

commands:
  run [--config FILE] [--log.level LEVEL] [--log.target auto|stderr|journal]
                            run the agent (built-in default config without --config)
  check config FILE         validate a configuration file
  check rules [--lint=all|duplicate-rules|none] [--lint-fatal] [--ignore-unknown-fields] FILE...
                            validate Prometheus rule files (standard input without FILE)
  test rules [--run REGEX]... [--ignore-unknown-fields] FILE...
                            run rule unit tests (promtool's test-file format)
  test promql FILE...       run PromQL conformance scripts (promqltest language)
  query EXPR [--time T] [--url URL]
                            instant query against a running agent (default
                            http://127.0.0.1:9469), printed like promtool query instant
  silence add --comment C [--author A] [--duration 1h] MATCHER...
  silence query [--expired]
  silence expire ID...      manage silences on a running agent (--url, default
                            http://127.0.0.1:9469)
                            query and silence take --http.config.file FILE: basic auth,
                            authorization and tls_config as amtool's and promtool's
  version                   print version and build information

exit codes: 0 ok, 1 check or test failed, 2 usage error, 78 invalid config at start
)";

namespace {

// Splits "--flag=value", or takes the next argument as the value of "--flag" (advancing i).
Status TakeFlagValue(const std::vector<std::string>& args, size_t& i, std::string& flag,
                     std::string& value) {
  if (auto eq = flag.find('='); eq != std::string::npos) {
    value = flag.substr(eq + 1);
    flag.resize(eq);
    return Status::Ok();
  }
  if (i + 1 < args.size()) {
    value = args[++i];
    return Status::Ok();
  }
  return InvalidArgument("flag " + flag + " needs a value");
}

// `check rules` / `test rules` with promtool's flags, which may sit before, between or after
// the files (kingpin accepts either).
Result<CliArgs> ParseRulesCommand(const std::string& cmd, const std::vector<std::string>& rest,
                                  CliArgs& out) {
  const bool check = cmd == "check";
  out.command = check ? CliCommand::kCheckRules : CliCommand::kTestRules;
  for (size_t i = 1; i < rest.size(); ++i) {
    std::string flag = rest[i];
    if (flag.rfind("--", 0) != 0) {
      out.files.push_back(flag);
      continue;
    }
    if (flag == "--ignore-unknown-fields") {
      out.ignore_unknown_fields = true;
      continue;
    }
    if (check && flag == "--lint-fatal") {
      out.lint_fatal = true;
      continue;
    }
    std::string value;
    if (Status st = TakeFlagValue(rest, i, flag, value); !st.ok()) return st;
    if (!check && flag == "--run") {
      out.test_run.push_back(value);
    } else if (check && flag == "--lint") {
      if (value != "all" && value != "duplicate-rules" && value != "none") {
        return InvalidArgument("--lint must be all, duplicate-rules or none");
      }
      out.lint = value;
    } else {
      return InvalidArgument("unknown flag " + flag);
    }
  }
  // promtool reads standard input when `check rules` gets no file; `test rules` needs one.
  if (!check && out.files.empty())
    return InvalidArgument("test rules: at least one FILE is required");
  return out;
}

}  // namespace

Result<CliArgs> ParseCli(const std::vector<std::string>& args) {
  CliArgs out;
  if (args.empty()) return InvalidArgument("no command given");
  const std::string& cmd = args[0];
  auto rest = std::vector<std::string>(args.begin() + 1, args.end());
  auto need_files = [&](CliCommand c, const std::string& what) -> Result<CliArgs> {
    if (rest.size() < 2) return InvalidArgument(what + ": at least one FILE is required");
    out.command = c;
    out.files.assign(rest.begin() + 1, rest.end());
    return out;
  };
  if (cmd == "run") {
    out.command = CliCommand::kRun;
    for (size_t i = 0; i < rest.size(); ++i) {
      std::string flag = rest[i];
      std::string value;
      if (Status st = TakeFlagValue(rest, i, flag, value); !st.ok()) return st;
      if (flag == "--config" || flag == "--config.file") {
        out.config_file = value;
      } else if (flag == "--log.level") {
        out.log_level = value;
      } else if (flag == "--log.target") {
        if (value != "auto" && value != "stderr" && value != "journal") {
          return InvalidArgument("--log.target must be auto, stderr or journal");
        }
        out.log_target = value;
      } else {
        return InvalidArgument("unknown flag " + flag);
      }
    }
    return out;
  }
  if (cmd == "check" || cmd == "test") {
    if (rest.empty()) return InvalidArgument(cmd + ": missing subcommand");
    const std::string& sub = rest[0];
    if (cmd == "check" && sub == "config") {
      if (rest.size() != 2) return InvalidArgument("check config: exactly one FILE is required");
      out.command = CliCommand::kCheckConfig;
      out.files = {rest[1]};
      return out;
    }
    if (sub == "rules") return ParseRulesCommand(cmd, rest, out);
    if (cmd == "test" && sub == "promql") return need_files(CliCommand::kTestPromql, "test promql");
    return InvalidArgument("unknown command: " + cmd + " " + sub);
  }
  if (cmd == "query") {
    out.command = CliCommand::kQuery;
    for (size_t i = 0; i < rest.size(); ++i) {
      std::string flag = rest[i];
      if (flag.rfind("--", 0) != 0) {
        if (!out.query_expr.empty()) return InvalidArgument("query: only one EXPR is allowed");
        out.query_expr = flag;
        continue;
      }
      std::string value;
      if (Status st = TakeFlagValue(rest, i, flag, value); !st.ok()) return st;
      if (flag == "--time") {
        out.query_time = value;
      } else if (flag == "--url") {
        out.query_url = value;
      } else if (flag == "--http.config.file") {
        out.http_config_file = value;
      } else {
        return InvalidArgument("unknown flag " + flag);
      }
    }
    if (out.query_expr.empty()) return InvalidArgument("query: EXPR is required");
    return out;
  }
  if (cmd == "silence") {
    if (rest.empty() || (rest[0] != "add" && rest[0] != "query" && rest[0] != "expire")) {
      return InvalidArgument("silence: expected add, query or expire");
    }
    out.command = CliCommand::kSilence;
    out.silence_action = rest[0];
    const char* user = std::getenv("USER");
    out.silence_author = user != nullptr ? user : "tocsin";
    for (size_t i = 1; i < rest.size(); ++i) {
      std::string flag = rest[i];
      if (flag.rfind("--", 0) != 0) {
        out.silence_args.push_back(flag);
        continue;
      }
      if (flag == "--expired") {
        out.silence_expired = true;
        continue;
      }
      std::string value;
      if (Status st = TakeFlagValue(rest, i, flag, value); !st.ok()) return st;
      if (flag == "--url") {
        out.query_url = value;
      } else if (flag == "--http.config.file") {
        out.http_config_file = value;
      } else if (flag == "--author") {
        out.silence_author = value;
      } else if (flag == "--comment") {
        out.silence_comment = value;
      } else if (flag == "--duration") {
        auto d = ParseDuration(value);
        if (!d.ok() || d->count() <= 0)
          return InvalidArgument("--duration: " + value + " is not a positive duration");
        out.silence_duration = *d;
      } else {
        return InvalidArgument("unknown flag " + flag);
      }
    }
    if (out.silence_action == "add" && out.silence_args.empty()) {
      return InvalidArgument("silence add: at least one MATCHER is required");
    }
    if (out.silence_action == "add" && out.silence_comment.empty()) {
      return InvalidArgument("silence add: --comment is required");
    }
    if (out.silence_action == "expire" && out.silence_args.empty()) {
      return InvalidArgument("silence expire: at least one ID is required");
    }
    return out;
  }
  if (cmd == "version" || cmd == "--version") {
    out.command = CliCommand::kVersion;
    return out;
  }
  if (cmd == "help" || cmd == "--help" || cmd == "-h") {
    out.command = CliCommand::kHelp;
    return out;
  }
  return InvalidArgument("unknown command: " + cmd);
}

}  // namespace tocsin
