// Serving civetweb on a listening socket it did not create (socket activation).
//
// civetweb 1.15 (Debian 12) can only bind the ports named in its listening_ports option; it has
// no way to adopt an existing fd. So HttpServer starts civetweb on an ephemeral loopback port of
// the inherited socket's family (EphemeralListeningPort), finds the fd civetweb listens on
// (by its bound address, in /proc/self/fd) and dup2()s the inherited socket onto that fd
// number (AdoptInto). civetweb's accept loop polls its listening fds by number on every turn,
// so from its next turn on it accepts from the inherited socket; the ephemeral socket is
// closed, and nobody knew its port. Plain functions; call before the server takes requests.
#pragma once

#include <string>

#include "agent/core/status.h"

namespace tocsin {

// "127.0.0.1:0" or "[::1]:0": what to give civetweb's listening_ports for `fd`'s family.
Result<std::string> EphemeralListeningPort(int fd);

// The port `fd` is bound to.
Result<int> BoundPort(int fd);

// Replaces the process's listening socket bound to loopback port `ephemeral_port` by
// `inherited` (dup2, keeping the replaced fd's O_NONBLOCK and close-on-exec) and closes
// `inherited`. Fails, leaving everything as it was, unless exactly one such socket exists.
Status AdoptInto(int ephemeral_port, int inherited);

}  // namespace tocsin
