#include "collectors/statsd/statsd_receiver.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include "agent/core/host_port.h"
#include "agent/core/internal_errors.h"
#include "agent/core/rate_limiter.h"

namespace tocsin {
namespace {

constexpr size_t kDatagramMax = 65536;

RateLimiter& LogLimiter() {
  static RateLimiter limiter(std::chrono::minutes(1));
  return limiter;
}

void SetReceiveBuffer(int fd, size_t bytes) {
  int v = static_cast<int>(std::min<size_t>(bytes, 1 << 30));
  // FORCE works as root (ignores net.core.rmem_max); otherwise the capped request.
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof v) != 0) {
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof v);
  }
}

int BindUdp(const HostPort& hp, uint16_t* port, std::string* error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  std::string service = std::to_string(hp.port);
  int rc = getaddrinfo(hp.host.empty() ? nullptr : hp.host.c_str(), service.c_str(), &hints, &res);
  if (rc != 0) {
    *error = gai_strerror(rc);
    return -1;
  }
  int fd = -1;
  for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) continue;
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0) break;
    *error = std::strerror(errno);
    close(fd);
    fd = -1;
  }
  freeaddrinfo(res);
  if (fd < 0) return -1;
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  *port = ntohs(ss.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port
                                         : reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  return fd;
}

int BindUnix(const std::string& path, std::string* error) {
  sockaddr_un addr{};
  if (path.size() >= sizeof addr.sun_path) {
    *error = "path too long";
    return -1;
  }
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    *error = std::strerror(errno);
    return -1;
  }
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  unlink(path.c_str());  // a stale socket file from an earlier run
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    *error = std::strerror(errno);
    close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

Result<std::unique_ptr<StatsdReceiver>> StatsdReceiver::Start(StatsdReceiverOptions options,
                                                              Sink sink) {
  if (!options.udp_address.empty()) {
    Result<HostPort> hp = ParseHostPort(options.udp_address);
    if (!hp.ok()) return hp.status();
  }
  if (options.udp_address.empty() && options.unix_path.empty()) {
    return InvalidArgument("statsd: neither a UDP address nor a unix socket path");
  }
  std::unique_ptr<StatsdReceiver> r(new StatsdReceiver(std::move(options), std::move(sink)));
  if (r->wake_fd_ < 0) return Internal(std::string("eventfd: ") + std::strerror(errno));
  r->TryBind();  // so that a free port is usually bound before Start returns
  r->thread_ = std::thread([p = r.get()] { p->Run(); });
  return r;
}

StatsdReceiver::StatsdReceiver(StatsdReceiverOptions options, Sink sink)
    : options_(std::move(options)), sink_(std::move(sink)) {
  options_.batch = std::max<size_t>(1, options_.batch);
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
}

StatsdReceiver::~StatsdReceiver() {
  stop_ = true;
  if (wake_fd_ >= 0) {
    uint64_t one = 1;
    [[maybe_unused]] ssize_t n = write(wake_fd_, &one, sizeof one);
  }
  if (thread_.joinable()) thread_.join();
  if (udp_fd_ >= 0) close(udp_fd_);
  if (unix_fd_ >= 0) {
    close(unix_fd_);
    unlink(options_.unix_path.c_str());
  }
  if (wake_fd_ >= 0) close(wake_fd_);
}

bool StatsdReceiver::TryBind() {
  std::string error;
  if (!options_.udp_address.empty() && udp_fd_ < 0) {
    HostPort hp = ParseHostPort(options_.udp_address).value();
    uint16_t port = 0;
    int fd = BindUdp(hp, &port, &error);
    if (fd >= 0) {
      SetReceiveBuffer(fd, options_.read_buffer);
      udp_fd_ = fd;
      udp_port_ = port;
    } else {
      uint64_t suppressed = 0;
      if (LogLimiter().Allow("statsd udp " + options_.udp_address, suppressed)) {
        spdlog::warn("statsd: cannot listen on udp {}: {} (retrying)", options_.udp_address, error);
      }
    }
  }
  if (!options_.unix_path.empty() && unix_fd_ < 0) {
    int fd = BindUnix(options_.unix_path, &error);
    if (fd >= 0) {
      SetReceiveBuffer(fd, options_.read_buffer);
      unix_fd_ = fd;
    } else {
      uint64_t suppressed = 0;
      if (LogLimiter().Allow("statsd unix " + options_.unix_path, suppressed)) {
        spdlog::warn("statsd: cannot listen on {}: {} (retrying)", options_.unix_path, error);
      }
    }
  }
  bool all = (options_.udp_address.empty() || udp_fd_ >= 0) &&
             (options_.unix_path.empty() || unix_fd_ >= 0);
  listening_ = all;
  return all;
}

uint16_t StatsdReceiver::WaitUdpPort(std::chrono::milliseconds wait) const {
  auto deadline = std::chrono::steady_clock::now() + wait;
  while (udp_port_ == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // bounded poll
  }
  return udp_port_;
}

StatsdReceiverStats StatsdReceiver::Stats() const {
  return {datagrams_.load(), bytes_.load(), truncated_.load(), receive_errors_.load(),
          listening_.load()};
}

void StatsdReceiver::Run() {
  const size_t n = options_.batch;
  // Buffers are not zeroed: pages the kernel never writes are never committed.
  std::unique_ptr<char[]> buffers(new char[n * kDatagramMax]);
  std::vector<mmsghdr> msgs(n);
  std::vector<iovec> iovs(n);
  std::vector<std::string_view> batch;
  batch.reserve(n);
  bool bound = listening_.load();
  while (!stop_) {
    if (!bound) bound = TryBind();
    pollfd fds[3];
    nfds_t nfds = 0;
    fds[nfds++] = {wake_fd_, POLLIN, 0};
    if (udp_fd_ >= 0) fds[nfds++] = {udp_fd_, POLLIN, 0};
    if (unix_fd_ >= 0) fds[nfds++] = {unix_fd_, POLLIN, 0};
    int rc = poll(fds, nfds, bound ? -1 : 100);
    if (rc < 0 && errno != EINTR) {
      ++receive_errors_;
      continue;
    }
    if (stop_) break;
    for (nfds_t i = 1; i < nfds; ++i) {
      if ((fds[i].revents & POLLIN) == 0) continue;
      // Drain this socket; stop after a bounded number of rounds so the other one gets a turn.
      for (int round = 0; round < 64 && !stop_; ++round) {
        for (size_t k = 0; k < n; ++k) {
          iovs[k] = {buffers.get() + k * kDatagramMax, kDatagramMax};
          msgs[k] = {};
          msgs[k].msg_hdr.msg_iov = &iovs[k];
          msgs[k].msg_hdr.msg_iovlen = 1;
        }
        int got = recvmmsg(fds[i].fd, msgs.data(), static_cast<unsigned>(n), MSG_DONTWAIT, nullptr);
        if (got <= 0) {
          if (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            ++receive_errors_;
          }
          break;
        }
        batch.clear();
        uint64_t bytes = 0;
        for (int k = 0; k < got; ++k) {
          size_t len = msgs[k].msg_len;
          if ((msgs[k].msg_hdr.msg_flags & MSG_TRUNC) != 0) ++truncated_;
          bytes += len;
          batch.emplace_back(buffers.get() + k * kDatagramMax, len);
        }
        datagrams_ += static_cast<uint64_t>(got);
        bytes_ += bytes;
        // A packet that trips a bug costs that batch, never the listener.
        Guarded("statsd", [&] { sink_(batch); });
        if (static_cast<size_t>(got) < n) break;  // drained
      }
    }
  }
}

}  // namespace tocsin
