// Reader of <procfs>/pressure/{cpu,memory,io} (PSI) into node_exporter's
// node_pressure_{cpu_waiting,memory_waiting,memory_stalled,io_waiting,io_stalled}_seconds_total.
//
// Kernels without PSI have no <procfs>/pressure directory (or files that fail to read with
// EOPNOTSUPP when booted with psi=0): that is not an error, the part then exports nothing.
// Not thread-safe (uses the caller's ProcFile).
#pragma once

#include <string>
#include <string_view>

#include "agent/core/status.h"
#include "collectors/system/proc_file.h"
#include "collectors/system/sample_sink.h"

namespace tocsin::system {

Status ReadPressure(const std::string& procfs, ProcFile& file, SampleSink& sink);

// Parses one PSI file; sets the "total=" of the "some" and "full" lines in seconds (negative
// when the line is absent).
Status ParsePressureFile(std::string_view text, double& some_seconds, double& full_seconds);

}  // namespace tocsin::system
