// ReloadStatus: the outcome of the daemon's configuration reloads, as the exporter reports it
// (tocsin_config_last_reload_successful and friends). A leaf value, so that readers of the
// status need not depend on the daemon or the configuration. Plain value; not synchronised.
#pragma once

#include <cstdint>
#include <string>

#include "agent/core/clock.h"

namespace tocsin {

struct ReloadStatus {
  bool last_successful = true;
  TimestampMs last_success_ms = 0;  // the start counts as the first successful load
  uint64_t failures = 0;
  std::string last_error;
};

}  // namespace tocsin
