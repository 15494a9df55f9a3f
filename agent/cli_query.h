// `tocsin query EXPR [--time T] [--url URL]`: an instant query against a running agent's
// /api/v1/query, printed as `promtool query instant` prints it
// (`up{instance="a", job="b"} => 1 @[1700000000.123]`). Stateless; thread-safe.
#pragma once

#include <ostream>

#include "agent/cli.h"
#include "agent/http_client/http_client.h"

namespace tocsin {

// Returns the exit code: 0 ok, 1 query failed (server error, transport error).
int RunQueryCommand(const CliArgs& args, HttpClient& client, std::ostream& out, std::ostream& err);

}  // namespace tocsin
