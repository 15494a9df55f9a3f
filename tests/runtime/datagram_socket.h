// Test helpers for the runtime's datagram clients: a bound AF_UNIX datagram socket to receive
// on, and a stderr capture.
//
// DatagramSocket owns its fd (and any fds it receives, until the caller takes them); it builds
// its address independently of agent/runtime/unix_socket.h so a bug there cannot hide itself.
// Neither class is thread-safe; each test uses its own instance.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace tocsin::testing_support {

// One received datagram: its bytes and the fds that came with it via SCM_RIGHTS (the receiver
// closes them).
struct Datagram {
  std::string data;
  std::vector<int> fds;

  Datagram() = default;
  Datagram(Datagram&& other) noexcept
      : data(std::move(other.data)), fds(std::exchange(other.fds, {})) {}
  Datagram& operator=(Datagram&&) = delete;
  ~Datagram() {
    for (int fd : fds) ::close(fd);
  }
};

class DatagramSocket {
 public:
  // `name` is a filesystem path or, with `abstract`, a name in the abstract namespace.
  DatagramSocket(const std::string& name, bool abstract) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    EXPECT_GE(fd_, 0) << std::strerror(errno);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    socklen_t length;
    if (abstract) {
      std::memcpy(addr.sun_path + 1, name.data(), name.size());
      length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
    } else {
      std::memcpy(addr.sun_path, name.data(), name.size());
      length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size() + 1);
    }
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), length), 0) << std::strerror(errno);
  }
  ~DatagramSocket() {
    if (fd_ >= 0) ::close(fd_);
  }
  DatagramSocket(const DatagramSocket&) = delete;
  DatagramSocket& operator=(const DatagramSocket&) = delete;

  // Waits up to `timeout_ms` for the next datagram; nullopt if none came.
  std::optional<Datagram> Receive(int timeout_ms = 10000) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) != 1) return std::nullopt;
    // MSG_TRUNC with MSG_PEEK reports the real size, so the buffer fits whatever arrived.
    char probe;
    ssize_t size = ::recv(fd_, &probe, 1, MSG_PEEK | MSG_TRUNC);
    if (size < 0) return std::nullopt;
    std::optional<Datagram> out(std::in_place);
    out->data.resize(static_cast<size_t>(size));
    iovec iov{out->data.data(), out->data.size()};
    union {
      cmsghdr header;
      char buffer[CMSG_SPACE(4 * sizeof(int))];
    } control{};
    msghdr mh{};
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = control.buffer;
    mh.msg_controllen = sizeof(control.buffer);
    ssize_t got = ::recvmsg(fd_, &mh, MSG_CMSG_CLOEXEC);
    if (got < 0) return std::nullopt;
    out->data.resize(static_cast<size_t>(got));
    for (cmsghdr* c = CMSG_FIRSTHDR(&mh); c != nullptr; c = CMSG_NXTHDR(&mh, c)) {
      if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
      size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      for (size_t i = 0; i < n; ++i) {
        int fd;
        std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
        out->fds.push_back(fd);
      }
    }
    EXPECT_EQ(mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC), 0);
    return out;
  }

  // True when nothing is queued right now (the senders under test are synchronous).
  bool Empty() {
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, 0) == 0;
  }

 private:
  int fd_ = -1;
};

// Points fd 2 at `path` until Finish(), which restores it and returns what was written.
class StderrCapture {
 public:
  explicit StderrCapture(std::string path) : path_(std::move(path)) {
    std::fflush(stderr);
    saved_ = ::dup(STDERR_FILENO);
    int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    EXPECT_GE(fd, 0) << std::strerror(errno);
    ::dup2(fd, STDERR_FILENO);
    ::close(fd);
  }
  ~StderrCapture() { Restore(); }

  std::string Finish() {
    Restore();
    std::ifstream in(path_, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

 private:
  void Restore() {
    if (saved_ < 0) return;
    std::fflush(stderr);
    ::dup2(saved_, STDERR_FILENO);
    ::close(saved_);
    saved_ = -1;
  }

  std::string path_;
  int saved_ = -1;
};

}  // namespace tocsin::testing_support
