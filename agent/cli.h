// Command-line parsing for the `tocsin` binary: which command, its flags and files.
// Pure function of argv; usage errors come back as a Status whose message is printed with the
// usage text (exit code 2).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "agent/core/status.h"

namespace tocsin {

enum class CliCommand { kRun, kCheckConfig, kCheckRules, kTestRules, kTestPromql, kVersion, kHelp };

struct CliArgs {
  CliCommand command = CliCommand::kHelp;
  std::optional<std::string> config_file;  // run --config
  std::string log_level = "info";
  std::string log_target = "auto";  // auto | stderr | journal
  std::vector<std::string> files;   // check/test commands
};

Result<CliArgs> ParseCli(const std::vector<std::string>& args);

extern const char kUsage[];

}  // namespace tocsin
