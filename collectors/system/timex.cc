#include "collectors/system/timex.h"

#include <sys/timex.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <string>

namespace tocsin::system {
namespace {

constexpr int kTimeError = 5;         // TIME_ERROR: clock not synchronised
constexpr int64_t kStaNano = 0x2000;  // STA_NANO: offset/jitter in ns rather than µs
constexpr double kNanoSeconds = 1e9;
constexpr double kMicroSeconds = 1e6;
// adjtimex(2) NOTES: freq, ppsfreq and stabil are ppm with a 16-bit fractional part.
constexpr double kPpm16Frac = 1000000.0 * 65536.0;

}  // namespace

Result<TimexInfo> RealAdjtimex() {
  struct timex tx {};
  int state = ::adjtimex(&tx);
  if (state < 0) {
    int err = errno;
    std::string msg = std::string("adjtimex: ") + std::strerror(err);
    return err == EPERM || err == EACCES ? Unavailable(std::move(msg)) : Internal(std::move(msg));
  }
  TimexInfo t;
  t.state = state;
  t.offset = tx.offset;
  t.freq = tx.freq;
  t.maxerror = tx.maxerror;
  t.esterror = tx.esterror;
  t.status = tx.status;
  t.constant = tx.constant;
  t.tick = tx.tick;
  t.ppsfreq = tx.ppsfreq;
  t.jitter = tx.jitter;
  t.shift = tx.shift;
  t.stabil = tx.stabil;
  t.jitcnt = tx.jitcnt;
  t.calcnt = tx.calcnt;
  t.errcnt = tx.errcnt;
  t.stbcnt = tx.stbcnt;
  t.tai = tx.tai;
  return t;
}

Status WriteTimex(const TimexInfo& t, SampleSink& sink) {
  double divisor = (t.status & kStaNano) != 0 ? kNanoSeconds : kMicroSeconds;
  struct Item {
    std::string_view name;
    MetricType type;
    std::string_view help;
    double value;
  };
  auto d = [](int64_t v) { return static_cast<double>(v); };
  const std::array<Item, 17> items = {{
      {"node_timex_sync_status", MetricType::kGauge,
       "Is clock synchronized to a reliable server (1 = yes, 0 = no).",
       t.state == kTimeError ? 0.0 : 1.0},
      {"node_timex_offset_seconds", MetricType::kGauge,
       "Time offset in between local system and reference clock.", d(t.offset) / divisor},
      {"node_timex_frequency_adjustment_ratio", MetricType::kGauge,
       "Local clock frequency adjustment.", 1 + d(t.freq) / kPpm16Frac},
      {"node_timex_maxerror_seconds", MetricType::kGauge, "Maximum error in seconds.",
       d(t.maxerror) / kMicroSeconds},
      {"node_timex_estimated_error_seconds", MetricType::kGauge, "Estimated error in seconds.",
       d(t.esterror) / kMicroSeconds},
      {"node_timex_status", MetricType::kGauge, "Value of the status array bits.", d(t.status)},
      {"node_timex_loop_time_constant", MetricType::kGauge, "Phase-locked loop time constant.",
       d(t.constant)},
      {"node_timex_tick_seconds", MetricType::kGauge, "Seconds between clock ticks.",
       d(t.tick) / kMicroSeconds},
      {"node_timex_pps_frequency_hertz", MetricType::kGauge, "Pulse per second frequency.",
       d(t.ppsfreq) / kPpm16Frac},
      {"node_timex_pps_jitter_seconds", MetricType::kGauge, "Pulse per second jitter.",
       d(t.jitter) / divisor},
      // node_exporter exports the raw shift (log2 of the interval) under this name.
      {"node_timex_pps_shift_seconds", MetricType::kGauge, "Pulse per second interval duration.",
       d(t.shift)},
      {"node_timex_pps_stability_hertz", MetricType::kGauge,
       "Pulse per second stability, average of recent frequency changes.",
       d(t.stabil) / kPpm16Frac},
      {"node_timex_pps_jitter_total", MetricType::kCounter,
       "Pulse per second count of jitter limit exceeded events.", d(t.jitcnt)},
      {"node_timex_pps_calibration_total", MetricType::kCounter,
       "Pulse per second count of calibration intervals.", d(t.calcnt)},
      {"node_timex_pps_error_total", MetricType::kCounter,
       "Pulse per second count of calibration errors.", d(t.errcnt)},
      {"node_timex_pps_stability_exceeded_total", MetricType::kCounter,
       "Pulse per second count of stability limit exceeded events.", d(t.stbcnt)},
      {"node_timex_tai_offset_seconds", MetricType::kGauge,
       "International Atomic Time (TAI) offset.", d(t.tai)},
  }};
  for (const Item& item : items) {
    sink.Family(item.name, item.type, item.help);
    sink.Add(item.name, item.value);
  }
  return Status::Ok();
}

}  // namespace tocsin::system
