#include "agent/runtime/signals.h"

#include <pthread.h>
#include <signal.h>

#include <cerrno>

namespace tocsin {
namespace {

sigset_t DaemonSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  return set;
}

}  // namespace

void BlockDaemonSignals() {
  sigset_t set = DaemonSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  // A closed scrape connection must not kill the process.
  signal(SIGPIPE, SIG_IGN);
}

int WaitForDaemonSignal(std::chrono::milliseconds timeout) {
  sigset_t set = DaemonSignals();
  timespec ts{};
  ts.tv_sec = timeout.count() / 1000;
  ts.tv_nsec = (timeout.count() % 1000) * 1000000;
  while (true) {
    int sig = sigtimedwait(&set, nullptr, &ts);
    if (sig > 0) return sig;
    if (errno == EINTR) continue;
    return 0;  // EAGAIN: timed out
  }
}

}  // namespace tocsin
