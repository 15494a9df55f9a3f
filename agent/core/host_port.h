// HostPort: a "host:port" network address as written in listen_address and scrape targets.
//
// Accepts what Go's net.SplitHostPort accepts for numeric ports: "127.0.0.1:9469",
// "localhost:9469", "[::1]:9469", ":9469" (every interface). Plain value; pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "agent/core/status.h"

namespace tocsin {

struct HostPort {
  std::string host;   // without IPv6 brackets; empty = every interface
  uint16_t port = 0;  // 0 lets the kernel pick a free port (useful in tests)
};

// The error message quotes the address and says what is wrong with it.
Result<HostPort> ParseHostPort(std::string_view address);

}  // namespace tocsin
