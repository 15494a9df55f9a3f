// Logging setup: spdlog to stderr, or to journald with structured fields when systemd started
// us with stderr connected to the journal.
//
// Call SetupLogging once from main before other threads start; afterwards spdlog's free
// functions are safe from any thread.
#pragma once

#include <string_view>

#include "agent/core/status.h"

namespace tocsin {

enum class LogTarget { kAuto, kStderr, kJournal };

// kAuto picks the journal when $JOURNAL_STREAM names our stderr (systemd's documented test).
// `level` is one of trace, debug, info, warn, error.
Status SetupLogging(LogTarget target, std::string_view level);

}  // namespace tocsin
