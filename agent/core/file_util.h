// Small durable-file helpers for state under state_dir (alert state, silences, the delivery queue):
// atomic replace (write temp, fsync, rename, fsync the directory), whole-file reads, directory
// creation. Stateless functions; safe from any thread for distinct paths.
#pragma once

#include <string>
#include <string_view>

#include "agent/core/status.h"

namespace tocsin {

Status WriteFileAtomic(const std::string& path, std::string_view content);
Result<std::string> ReadWholeFile(const std::string& path);
Status MakeDirs(const std::string& path);
Status SyncDir(const std::string& dir);

}  // namespace tocsin
