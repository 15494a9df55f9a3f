// The "mdadm" part: node_exporter 1.5's mdadm collector over <procfs>/mdstat through procfs
// 0.8's parseMDStat.
//
// Per md device (a line that is not blank, does not start with a space, "Personalities" or
// "unused"): node_md_disks_required (the [n/m] total; the '[' count for raid0/linear; 0 when
// inactive), node_md_disks{state=active|failed|spare} ((F) and (S) counts on the device line),
// node_md_state{state=active|inactive|recovering|resync|check} (one of them 1, from the device
// line's third field or the sync line), node_md_blocks (first field of the status line) and
// node_md_blocks_synced (the (done/total) of a recovery/resync/check line, 0 when PENDING or
// DELAYED, else the size). Errors are procfs': a device line with fewer than 3 fields, fewer
// than three lines after it, a non-numeric size, a status line without [n/m] [U_] (except
// raid0/linear/inactive) or a sync line without blocks, percentage, finish and speed fails the
// part. A missing file is node_exporter's ErrNoData (NotFound: success 0). Pure parsing;
// thread-compatible.
#pragma once

#include <string_view>

#include "agent/core/status.h"
#include "collectors/system/sample_sink.h"

namespace tocsin::system {

Status ParseMdstat(std::string_view text, SampleSink& sink);

}  // namespace tocsin::system
