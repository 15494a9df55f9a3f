// The "entropy" part: node_entropy_available_bits and node_entropy_pool_size_bits from
// <procfs>/sys/kernel/random/{entropy_avail,poolsize}, as node_exporter 1.5 (through procfs'
// KernelRandom, which also reads urandom_min_reseed_secs, write_wakeup_threshold and
// read_wakeup_threshold: an absent file is skipped, an unreadable or malformed one fails).
// Thread-compatible (uses the caller's ProcFile).
#pragma once

#include <string>

#include "agent/core/status.h"
#include "collectors/system/proc_file.h"
#include "collectors/system/sample_sink.h"

namespace tocsin::system {

Status ReadEntropy(const std::string& procfs, ProcFile& file, SampleSink& sink);

}  // namespace tocsin::system
