// The "dmi" part: node_exporter 1.5's dmi collector over <sysfs>/class/dmi/id/.
//
// node_dmi_info (gauge, 1) with one label per readable file of procfs 0.8's DMIClass:
// bios_{date,release,vendor,version}, board_{asset_tag,name,serial,vendor,version},
// chassis_{asset_tag,serial,vendor,version}, product_{family,name,serial,sku,uuid,version}
// and system_vendor (file sys_vendor); values trimmed (procfs' SysReadFile: one 128-byte read)
// and made valid UTF-8. As procfs, only regular files are read (modalias and uevent never), a
// file that is not permitted (the root-only serials and product_uuid) is skipped, any other
// read error fails the part. No directory, or no label at all: ErrNoData, i.e. failure (success
// 0) with no samples. node_exporter reads the files once at start; tocsin each cycle.
// Reads the filesystem; thread-compatible.
#pragma once

#include <string>

#include "agent/core/status.h"
#include "collectors/system/sample_sink.h"

namespace tocsin::system {

Status ReadDmi(const std::string& sysfs, SampleSink& sink);

}  // namespace tocsin::system
