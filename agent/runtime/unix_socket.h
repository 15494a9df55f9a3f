// AF_UNIX datagram addressing shared by the sd_notify and journald clients.
//
// UnixAddress is an AF_UNIX socket address parsed from systemd's notation: an absolute path, or
// "@name" for a name in the abstract namespace. It is a plain value (copyable, no resources),
// safe to share between threads once built. SendDatagram owns nothing beyond the call.
#pragma once

#include <sys/socket.h>
#include <sys/un.h>

#include <string_view>

#include "agent/core/status.h"

namespace tocsin {

struct UnixAddress {
  sockaddr_un addr{};
  // What connect()/sendto() take as the address length: for abstract names it delimits the
  // name, which may legitimately contain no terminating NUL.
  socklen_t length = 0;

  const sockaddr* sockaddr_ptr() const { return reinterpret_cast<const sockaddr*>(&addr); }
};

// InvalidArgument for relative paths, empty names and names longer than sun_path allows.
Result<UnixAddress> ParseUnixAddress(std::string_view address);

// Sends `data` as a single datagram from a fresh SOCK_CLOEXEC socket, so concurrent callers share
// no state. Unavailable (with strerror) when the socket cannot be created or sendto() fails.
Status SendDatagram(const UnixAddress& to, std::string_view data);

}  // namespace tocsin
