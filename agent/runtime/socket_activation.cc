#include "agent/runtime/socket_activation.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cstring>
#include <string>

namespace tocsin {
namespace {

std::string BoundAddress(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return "?";
  char host[INET6_ADDRSTRLEN] = "?";
  if (ss.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&ss);
    inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
    return std::string(host) + ":" + std::to_string(ntohs(in->sin_port));
  }
  const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&ss);
  inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
  return "[" + std::string(host) + "]:" + std::to_string(ntohs(in6->sin6_port));
}

}  // namespace

Result<std::optional<InheritedListener>> TakeInheritedListener() {
  int n = sd_listen_fds(/*unset_environment=*/1);
  if (n < 0) return InvalidArgument(std::string("LISTEN_FDS: ") + std::strerror(-n));
  if (n == 0) return std::optional<InheritedListener>();
  if (n > 1) {
    for (int fd = SD_LISTEN_FDS_START; fd < SD_LISTEN_FDS_START + n; ++fd) close(fd);
    return InvalidArgument("systemd passed " + std::to_string(n) +
                           " sockets (LISTEN_FDS); tocsin serves HTTP on exactly one: give "
                           "tocsin.socket a single ListenStream=");
  }
  int fd = SD_LISTEN_FDS_START;
  int r = sd_is_socket_inet(fd, AF_UNSPEC, SOCK_STREAM, /*listening=*/1, /*port=*/0);
  if (r <= 0) {
    close(fd);
    return InvalidArgument(
        "the socket systemd passed (fd 3) is not a listening TCP socket: use ListenStream= "
        "with an IP address and port in tocsin.socket");
  }
  return std::optional<InheritedListener>(InheritedListener{fd, BoundAddress(fd)});
}

}  // namespace tocsin
