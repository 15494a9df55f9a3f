// Socket activation: the HTTP listener systemd passes in (tocsin.socket), through libsystemd's
// sd_listen_fds(3) and sd_is_socket_inet(3).
//
// TakeInheritedListener() is called once, from main, before threads start: it reads and unsets
// LISTEN_PID/LISTEN_FDS/LISTEN_FDNAMES (so that children do not see them) and hands the caller
// ownership of the one listening TCP socket systemd passed, with the address it is bound to.
// nullopt when nothing was passed (or it was meant for another process); an error when what
// was passed cannot be served on (more than one socket, or not a listening TCP socket).
#pragma once

#include <optional>
#include <string>

#include "agent/core/status.h"

namespace tocsin {

struct InheritedListener {
  int fd = -1;          // owned by the caller; close-on-exec
  std::string address;  // "127.0.0.1:9469", "[::1]:9469": what it is bound to, for logs
};

Result<std::optional<InheritedListener>> TakeInheritedListener();

}  // namespace tocsin
