// Signal handling without async handlers: SIGTERM, SIGINT and SIGHUP are blocked in every
// thread and the main thread collects them synchronously with sigtimedwait.
//
// BlockDaemonSignals must run in main before any thread is created (threads inherit the mask).
#pragma once

#include <chrono>

namespace tocsin {

void BlockDaemonSignals();
// Returns the signal number received, or 0 when `timeout` passed without one.
int WaitForDaemonSignal(std::chrono::milliseconds timeout);

}  // namespace tocsin
