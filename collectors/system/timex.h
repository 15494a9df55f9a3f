// The "timex" part: node_timex_* from adjtimex(2) (read-only, modes = 0), computed as
// node_exporter 1.5's timex collector does: offset and PPS jitter in ns or µs depending on
// STA_NANO, frequencies in scaled ppm (2^-16 ppm), sync_status 0 when the call returns
// TIME_ERROR.
//
// The syscall sits behind AdjtimexFn so that tests inject values. WriteTimex is a pure
// function; RealAdjtimex is thread-safe.
#pragma once

#include <cstdint>
#include <functional>

#include "agent/core/status.h"
#include "collectors/system/sample_sink.h"

namespace tocsin::system {

// The struct timex fields node_exporter reads, plus the call's return value (clock state).
struct TimexInfo {
  int state = 0;  // TIME_OK (0) ... TIME_ERROR (5)
  int64_t offset = 0;
  int64_t freq = 0;
  int64_t maxerror = 0;
  int64_t esterror = 0;
  int64_t status = 0;
  int64_t constant = 0;
  int64_t tick = 0;
  int64_t ppsfreq = 0;
  int64_t jitter = 0;
  int64_t shift = 0;
  int64_t stabil = 0;
  int64_t jitcnt = 0;
  int64_t calcnt = 0;
  int64_t errcnt = 0;
  int64_t stbcnt = 0;
  int64_t tai = 0;
};

using AdjtimexFn = std::function<Result<TimexInfo>()>;

// adjtimex(2) with modes = 0. PermissionDenied-like failures come back as Unavailable
// (node_exporter reports "no data" then), others as Internal.
Result<TimexInfo> RealAdjtimex();

Status WriteTimex(const TimexInfo& t, SampleSink& sink);

}  // namespace tocsin::system
