// ReadSecretFile: reads a secret (password, DSN, API key) from a `*_file` config key's file.
//
// Relative paths are looked up first under $CREDENTIALS_DIRECTORY (where systemd's
// LoadCredential= puts them) when that is set, then under the config file's directory. One
// trailing newline is trimmed, as editors and `echo` add one. Error messages name the path,
// never the content. Stateless; safe to call from any thread that does not modify the
// environment at the same time.
#pragma once

#include <string>
#include <string_view>

#include "agent/config/config.h"
#include "agent/core/status.h"

namespace tocsin {

// Secrets larger than this are refused: the key most likely points at the wrong file.
inline constexpr size_t kMaxSecretFileBytes = 64 * 1024;

// `relative_to_dir` may be empty (then a relative path is taken as it is, i.e. from the working
// directory). An empty file is an error: an empty password is almost always a mistake.
Result<Secret> ReadSecretFile(std::string_view path, std::string_view relative_to_dir);

}  // namespace tocsin
