#include "agent/runtime/unix_socket.h"

#include <errno.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>
#include <string>

namespace tocsin {

Result<UnixAddress> ParseUnixAddress(std::string_view address) {
  UnixAddress out;
  out.addr.sun_family = AF_UNIX;
  constexpr size_t kPathOffset = offsetof(sockaddr_un, sun_path);
  constexpr size_t kPathCapacity = sizeof(out.addr.sun_path);
  if (address.size() > 1 && address.front() == '@') {
    // The leading NUL is part of the name in the abstract namespace; the length, not a
    // terminator, says where the name ends.
    if (address.size() > kPathCapacity) {
      return InvalidArgument("abstract socket name too long: \"" + std::string(address) + "\"");
    }
    out.addr.sun_path[0] = '\0';
    std::memcpy(out.addr.sun_path + 1, address.data() + 1, address.size() - 1);
    out.length = static_cast<socklen_t>(kPathOffset + address.size());
    return out;
  }
  if (address.empty() || address.front() != '/') {
    return InvalidArgument("socket address must be an absolute path or @name: \"" +
                           std::string(address) + "\"");
  }
  if (address.size() >= kPathCapacity) {
    return InvalidArgument("socket path too long: \"" + std::string(address) + "\"");
  }
  std::memcpy(out.addr.sun_path, address.data(), address.size());
  out.length = static_cast<socklen_t>(kPathOffset + address.size() + 1);
  return out;
}

Status SendDatagram(const UnixAddress& to, std::string_view data) {
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Unavailable(std::string("socket: ") + std::strerror(errno));
  ssize_t sent;
  do {
    sent = sendto(fd, data.data(), data.size(), MSG_NOSIGNAL, to.sockaddr_ptr(), to.length);
  } while (sent < 0 && errno == EINTR);
  int saved = errno;
  close(fd);
  if (sent < 0) return Unavailable(std::string("sendto: ") + std::strerror(saved));
  return Status::Ok();
}

}  // namespace tocsin
