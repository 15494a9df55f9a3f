// The "xfs" part: node_exporter 1.5's xfs collector over <sysfs>/fs/xfs/<device>/stats/stats,
// parsed as procfs 0.8's xfs.ParseStats.
//
// Per mounted XFS filesystem (label `device`, the directory name, e.g. "sda1"), 39 counters
// node_xfs_{extent_allocation,allocation_btree,block_mapping,block_map_btree,
// directory_operation,inode_operation,vnode}_*_total and node_xfs_{read,write}_calls_total,
// with node_exporter's names and HELP texts; lines the file lacks export zeros. As procfs, every
// line with a label and at least one value must parse: "xpc" as uint64s (3), all others as
// uint32s, and the known labels need their exact value count (extent_alloc 4, abt 4, blk_map 7,
// bmbt 4, dir 4, trans 3, ig 7, log 5, push_ail 10, xstrat 2, rw 2, attr 4, icluster 3,
// vnodes 7 or 8, buf 9, abtb2/abtc2/bmbt2/ibt2 15, qm 8 or 9, debug 1); a malformed line or an
// unreadable stats file fails the part. No XFS filesystem: success with no samples (an empty
// glob). Reads the filesystem; thread-compatible.
#pragma once

#include <string>
#include <string_view>

#include "agent/core/status.h"
#include "collectors/system/sample_sink.h"

namespace tocsin::system {

Status ReadXfs(const std::string& sysfs, SampleSink& sink);

// One stats file of device `device`.
Status ParseXfsStats(std::string_view text, const std::string& device, SampleSink& sink);

}  // namespace tocsin::system
