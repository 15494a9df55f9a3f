// The "edac" part: node_exporter 1.5's edac collector over
// <sysfs>/devices/system/edac/mc/mc[0-9]*/.
//
// Per memory controller (label `controller` = the digits after "mc"):
// node_edac_correctable_errors_total / node_edac_uncorrectable_errors_total (ce_count,
// ue_count), node_edac_csrow_correctable_errors_total / _uncorrectable_errors_total with
// csrow="unknown" (ce_noinfo_count, ue_noinfo_count) and, per csrow[0-9]* directory, with
// csrow=<digits> (its ce_count, ue_count); all counters. Each file must hold an unsigned
// integer (trimmed): a missing or malformed one fails the part (where node_exporter would keep
// the series it sent before the error, tocsin keeps none). No edac directory: success, no
// samples (an empty glob, as node_exporter). Reads the filesystem; thread-compatible.
#pragma once

#include <string>

#include "agent/core/status.h"
#include "collectors/system/sample_sink.h"

namespace tocsin::system {

Status ReadEdac(const std::string& sysfs, SampleSink& sink);

}  // namespace tocsin::system
