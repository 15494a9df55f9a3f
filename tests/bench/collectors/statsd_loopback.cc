// statsd_loopback [seconds] [lines_per_datagram]: sustained StatsD ingest over real loopback UDP.
// A StatsdReceiver (recvmmsg thread) feeding a StatsdAggregator, as in the daemon, and a sender
// thread that paces datagrams at increasing target rates. For each rate it counts lines sent and
// lines received (the aggregator's own count) and reports loss, and the CPU the receiving side
// used per million lines (process CPU minus the sender thread's own CPU clock). The highest
// rate with zero loss is the sustained figure.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "agent/core/clock.h"
#include "collectors/statsd/statsd_aggregator.h"
#include "collectors/statsd/statsd_receiver.h"

namespace {

double ProcessCpu() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double ThreadCpu() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = argc > 1 ? std::atof(argv[1]) : 3;
  int per_datagram = argc > 2 ? std::atoi(argv[2]) : 10;
  tocsin::SystemClock& clock = tocsin::SystemClock::Instance();
  tocsin::StatsdAggregator agg(clock, {});
  auto receiver = tocsin::StatsdReceiver::Start(
      {"127.0.0.1:0", "", 32 << 20, 64},
      [&](std::span<const std::string_view> b) { agg.AddPackets(b); });
  if (!receiver.ok()) {
    std::fprintf(stderr, "%s\n", receiver.status().message().c_str());
    return 1;
  }
  uint16_t port = (*receiver)->WaitUdpPort(std::chrono::seconds(5));
  std::vector<std::string> datagrams;
  for (int d = 0; d < 64; ++d) {
    std::string s;
    for (int l = 0; l < per_datagram; ++l) {
      int i = d * per_datagram + l;
      if (l) s += '\n';
      s += (i % 3 == 0)   ? "app.requests:1|c|#operation:put,status:ok"
           : (i % 3 == 1) ? "app.latency:" + std::to_string(i % 97) + ".5|ms|#operation:get"
                          : "app.queue.depth:" + std::to_string(i % 40) + "|g";
    }
    datagrams.push_back(s);
  }
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);

  std::printf("%-14s %-12s %-12s %-10s %-14s %s\n", "target_lines/s", "sent", "received", "loss",
              "achieved/s", "recv_cpu_s_per_M_lines");
  for (double rate : {100e3, 200e3, 400e3, 800e3, 1.6e6, 3.2e6}) {
    uint64_t before = agg.Counts().lines;
    double cpu0 = ProcessCpu();
    double sender_cpu = 0;
    uint64_t sent_lines = 0;
    auto start = std::chrono::steady_clock::now();
    std::thread sender([&] {
      double t0 = ThreadCpu();
      auto begin = std::chrono::steady_clock::now();
      double datagram_rate = rate / per_datagram;
      uint64_t n = 0;
      while (true) {
        double elapsed =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
        if (elapsed >= seconds) break;
        uint64_t due = static_cast<uint64_t>(elapsed * datagram_rate);
        while (n < due) {
          const std::string& s = datagrams[n % datagrams.size()];
          if (send(fd, s.data(), s.size(), 0) == static_cast<ssize_t>(s.size())) {
            sent_lines += static_cast<uint64_t>(per_datagram);
          }
          ++n;
        }
      }
      sender_cpu = ThreadCpu() - t0;
    });
    sender.join();
    double send_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    // Bounded wait for the receiver to drain its socket buffer.
    uint64_t received = 0;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < deadline) {
      received = agg.Counts().lines - before;
      if (received >= sent_lines) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    double recv_cpu = ProcessCpu() - cpu0 - sender_cpu;
    std::printf("%-14.0f %-12llu %-12llu %-10.4f %-14.0f %.3f\n", rate,
                static_cast<unsigned long long>(sent_lines),
                static_cast<unsigned long long>(received),
                sent_lines ? 1.0 - double(received) / double(sent_lines) : 0.0,
                sent_lines / send_seconds, recv_cpu / (received / 1e6));
    std::fflush(stdout);
  }
  close(fd);
  return 0;
}
