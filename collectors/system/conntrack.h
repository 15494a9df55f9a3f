// The conntrack part: node_exporter 1.5's `conntrack` collector over
// <procfs>/sys/net/netfilter/nf_conntrack_{count,max} and <procfs>/net/stat/nf_conntrack.
//
// Gauges node_nf_conntrack_entries, node_nf_conntrack_entries_limit and
// node_nf_conntrack_stat_{found,invalid,ignore,insert,insert_failed,drop,early_drop,
// search_restart} (summed over the per-CPU lines of the statistics file, 17 hex columns each).
// Files are read in that order and samples staged as they are read; ReadConntrack returns
// NotFound when a file is missing (module not loaded, or a kernel without
// CONFIG_NF_CONNTRACK_PROCFS), leaving the samples of the files read before it staged, as
// node_exporter exports them before reporting failure. Thread-compatible.
#pragma once

#include <string>
#include <string_view>

#include "agent/core/status.h"
#include "collectors/system/proc_file.h"
#include "collectors/system/sample_sink.h"

namespace tocsin::system {

// Parses <procfs>/net/stat/nf_conntrack (header line, then one line per CPU).
Status ParseConntrackStat(std::string_view text, SampleSink& sink);

Status ReadConntrack(const std::string& procfs, ProcFile& file, SampleSink& sink);

}  // namespace tocsin::system
