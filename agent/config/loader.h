// Config loading: YAML text or file -> Config, with every problem reported at once.
//
// On failure the Status is kInvalidArgument and its message holds one line per problem,
// ordered by position, each `file:line:col: dotted.key: message`, e.g.
//   /etc/tocsin/tocsin.yml:3:3: web.listen_adress: unknown key
//   /etc/tocsin/tocsin.yml:7:5: collectors.system.interval: not a valid duration string: "5x"
// Relative paths in the config (rule_files, state_dir, procfs, secrets) resolve against the
// config file's directory. Stateless free functions; safe to call from any thread.
#pragma once

#include <string>
#include <string_view>

#include "agent/config/config.h"
#include "agent/core/status.h"

namespace tocsin {

// Reads and loads `path`; Config::source_file is `path` as given.
Result<Config> LoadConfigFile(const std::string& path);

// Loads `text`; `source_name` prefixes error lines and becomes Config::source_file. Its
// directory (unless it starts with '<', as "<built-in>" does) anchors relative paths.
Result<Config> LoadConfigString(std::string_view text, std::string_view source_name);

// The built-in default (default_config.h), loaded with source "<built-in>".
Result<Config> LoadDefaultConfig();

}  // namespace tocsin
