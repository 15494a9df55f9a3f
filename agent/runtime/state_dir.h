// Resolves and creates the state directory (alert state, notification queue, silences).
//
// Order: the config's state_dir; $STATE_DIRECTORY (systemd's StateDirectory=); /var/lib/tocsin
// for root; $XDG_STATE_HOME/tocsin or ~/.local/state/tocsin for other users. Pure function of
// its inputs plus the filesystem; thread-safe.
#pragma once

#include <string>

#include "agent/core/status.h"

namespace tocsin {

Result<std::string> ResolveStateDir(const std::string& configured);

}  // namespace tocsin
