#include "agent/http/adopted_listener.h"

#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace tocsin {
namespace {

bool LocalAddress(int fd, sockaddr_storage& ss) {
  socklen_t len = sizeof(ss);
  return getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) == 0;
}

int PortOf(const sockaddr_storage& ss) {
  if (ss.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&ss)->sin_port);
  if (ss.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&ss)->sin6_port);
  }
  return -1;
}

bool IsLoopback(const sockaddr_storage& ss) {
  if (ss.ss_family == AF_INET) {
    return reinterpret_cast<const sockaddr_in*>(&ss)->sin_addr.s_addr == htonl(INADDR_LOOPBACK);
  }
  return ss.ss_family == AF_INET6 &&
         IN6_IS_ADDR_LOOPBACK(&reinterpret_cast<const sockaddr_in6*>(&ss)->sin6_addr);
}

bool IsListening(int fd) {
  int on = 0;
  socklen_t len = sizeof(on);
  return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) == 0 && on == 1;
}

}  // namespace

Result<std::string> EphemeralListeningPort(int fd) {
  sockaddr_storage ss{};
  if (!LocalAddress(fd, ss)) return Unavailable(std::string("getsockname: ") + strerror(errno));
  if (ss.ss_family == AF_INET) return std::string("127.0.0.1:0");
  if (ss.ss_family == AF_INET6) return std::string("[::1]:0");
  return InvalidArgument("the inherited socket is not an IPv4 or IPv6 socket");
}

Result<int> BoundPort(int fd) {
  sockaddr_storage ss{};
  if (!LocalAddress(fd, ss)) return Unavailable(std::string("getsockname: ") + strerror(errno));
  int port = PortOf(ss);
  if (port < 0) return InvalidArgument("the inherited socket is not an IPv4 or IPv6 socket");
  return port;
}

Status AdoptInto(int ephemeral_port, int inherited) {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return Unavailable(std::string("/proc/self/fd: ") + strerror(errno));
  std::vector<int> matches;
  while (dirent* e = readdir(dir)) {
    char* end = nullptr;
    long fd = std::strtol(e->d_name, &end, 10);
    if (end == e->d_name || *end != '\0' || fd == dirfd(dir) || fd == inherited) continue;
    struct stat st {};
    sockaddr_storage ss{};
    if (fstat(static_cast<int>(fd), &st) != 0 || !S_ISSOCK(st.st_mode)) continue;
    if (!LocalAddress(static_cast<int>(fd), ss) || !IsLoopback(ss) ||
        PortOf(ss) != ephemeral_port || !IsListening(static_cast<int>(fd))) {
      continue;
    }
    matches.push_back(static_cast<int>(fd));
  }
  closedir(dir);
  if (matches.size() != 1) {
    return Internal("cannot find civetweb's listening socket on port " +
                    std::to_string(ephemeral_port) + " (" + std::to_string(matches.size()) +
                    " candidates)");
  }
  int target = matches[0];
  int target_flags = fcntl(target, F_GETFL);
  int flags = fcntl(inherited, F_GETFL);
  if (target_flags < 0 || flags < 0 ||
      fcntl(inherited, F_SETFL, (flags & ~O_NONBLOCK) | (target_flags & O_NONBLOCK)) < 0) {
    return Unavailable(std::string("fcntl: ") + strerror(errno));
  }
  // dup2 replaces civetweb's socket atomically: its poll() either still sees the old socket
  // (nothing connects to it) or already the inherited one.
  if (dup2(inherited, target) < 0) return Unavailable(std::string("dup2: ") + strerror(errno));
  fcntl(target, F_SETFD, FD_CLOEXEC);
  close(inherited);
  return Status::Ok();
}

}  // namespace tocsin
