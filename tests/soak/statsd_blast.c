// statsd_blast: paced StatsD/DogStatsD UDP sender for the soak test (tests/soak/run.sh).
//
//   statsd_blast HOST PORT RATE SECONDS
//
// Sends RATE datagrams per second (one StatsD line each) for SECONDS seconds with sendmmsg on
// a connected UDP socket, from a fixed ring of pre-formatted packets whose names and tags are
// bounded (about 360 series), so the agent's StatsD series stay bounded however long it runs.
// Prints a progress line every 10 s and a final line
//   statsd_blast: sent=N failed=F seconds=S rate=R/s
// on stdout. SIGTERM / SIGINT stop it early (the final line is still printed).
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RING 8192
#define BATCH 256

static volatile sig_atomic_t stop_flag = 0;
static void on_signal(int sig) { (void)sig; stop_flag = 1; }

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char packets[RING][128];
static size_t lens[RING];

static void build_ring(void) {
  uint32_t x = 12345;
  for (int i = 0; i < RING; ++i) {
    x = x * 1103515245u + 12345u;
    uint32_t r = x >> 8;
    int svc = (int)(r % 20), route = (int)((r / 20) % 10);
    int kind = i % 10;
    int n;
    switch (kind) {
      case 0: case 1: case 2: case 3:  // counters: 200 series
        n = snprintf(packets[i], sizeof packets[i], "soak.stat.hits:%u|c|#svc:s%02d,route:r%d",
                     1 + r % 3, svc, route);
        break;
      case 4:  // gauges: 20 series
        n = snprintf(packets[i], sizeof packets[i], "soak.stat.inflight:%u|g|#svc:s%02d",
                     r % 500, svc);
        break;
      case 5: case 6:  // timers: 100 series
        n = snprintf(packets[i], sizeof packets[i],
                     "soak.stat.latency:%u.%u|ms|#svc:s%02d,route:r%d", r % 250, r % 10, svc,
                     route % 5);
        break;
      case 7:  // histograms: 20 series
        n = snprintf(packets[i], sizeof packets[i], "soak.stat.size:%u|h|#svc:s%02d",
                     100 + r % 10000, svc);
        break;
      case 8:  // sets: 1 series, at most 1000 members
        n = snprintf(packets[i], sizeof packets[i], "soak.stat.users:uid%u|s", r % 1000);
        break;
      default:  // sampled counters: 20 series
        n = snprintf(packets[i], sizeof packets[i], "soak.stat.sampled:1|c|@0.5|#svc:s%02d", svc);
        break;
    }
    lens[i] = (size_t)n;
  }
}

int main(int argc, char** argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s HOST PORT RATE SECONDS\n", argv[0]);
    return 2;
  }
  const char* host = argv[1];
  int port = atoi(argv[2]);
  double rate = atof(argv[3]);
  double seconds = atof(argv[4]);
  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);
  build_ring();

  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) { perror("socket"); return 1; }
  int sndbuf = 4 << 20;
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons((uint16_t)port);
  if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) { fprintf(stderr, "bad host\n"); return 2; }
  if (connect(fd, (struct sockaddr*)&addr, sizeof addr) != 0) { perror("connect"); return 1; }

  static struct mmsghdr msgs[BATCH];
  static struct iovec iov[BATCH];
  uint64_t sent = 0, failed = 0, ring_pos = 0, last_report_sent = 0;
  const double start = now_s();
  double last_report = start;
  for (;;) {
    double t = now_s();
    double elapsed = t - start;
    if (stop_flag || elapsed >= seconds) break;
    if (t - last_report >= 10.0) {
      printf("statsd_blast: t=%.0fs sent=%llu rate_10s=%.0f/s failed=%llu\n", elapsed,
             (unsigned long long)sent, (double)(sent - last_report_sent) / (t - last_report),
             (unsigned long long)failed);
      fflush(stdout);
      last_report = t;
      last_report_sent = sent;
    }
    double target = rate * elapsed;
    if ((double)sent >= target) {
      struct timespec ts = {0, 200000};  // 200 us
      nanosleep(&ts, NULL);
      continue;
    }
    uint64_t want = (uint64_t)(target - (double)sent) + 1;
    if (want > BATCH) want = BATCH;
    for (uint64_t i = 0; i < want; ++i) {
      size_t p = (size_t)((ring_pos + i) % RING);
      iov[i].iov_base = packets[p];
      iov[i].iov_len = lens[p];
      memset(&msgs[i].msg_hdr, 0, sizeof msgs[i].msg_hdr);
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    int n = sendmmsg(fd, msgs, (unsigned)want, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      ++failed;  // ECONNREFUSED (agent not listening), ENOBUFS, ...
      struct timespec ts = {0, 1000000};
      nanosleep(&ts, NULL);
      continue;
    }
    sent += (uint64_t)n;
    ring_pos += (uint64_t)n;
  }
  double elapsed = now_s() - start;
  printf("statsd_blast: sent=%llu failed=%llu seconds=%.1f rate=%.0f/s\n",
         (unsigned long long)sent, (unsigned long long)failed, elapsed,
         elapsed > 0 ? (double)sent / elapsed : 0.0);
  fflush(stdout);
  close(fd);
  return 0;
}
