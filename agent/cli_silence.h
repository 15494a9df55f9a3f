// `tocsin silence add|query|expire`: manage silences on a running agent through its
// Alertmanager-shaped /api/v2/silences, as `amtool silence` does.
//
//   tocsin silence add [--url U] [--author A] --comment C [--duration 1h] MATCHER...
//   tocsin silence query [--url U] [--expired]
//   tocsin silence expire [--url U] ID...
//
// MATCHER is `name=value`, `name!=value`, `name=~regex` or `name!~regex` (values may be quoted).
// Stateless; thread-safe.
#pragma once

#include <ostream>

#include "agent/cli.h"
#include "agent/core/clock.h"
#include "agent/http_client/http_client.h"

namespace tocsin {

// Returns the exit code: 0 ok, 1 the agent refused or could not be reached.
int RunSilenceCommand(const CliArgs& args, HttpClient& client, const Clock& clock,
                      std::ostream& out, std::ostream& err);

}  // namespace tocsin
