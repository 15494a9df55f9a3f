// The "bonding" part: node_exporter 1.5's bonding collector over <sysfs>/class/net.
//
// For each master named in bonding_masters (whitespace-separated): node_bonding_slaves (the
// names in <master>/bonding/slaves) and node_bonding_active (those whose
// <master>/lower_<slave>/bonding_slave/mii_status, else on older kernels slave_<slave>/..., is
// "up" once trimmed), gauges with label `master`. No bonding_masters (bonding module not
// loaded): ErrNoData, i.e. success 0 without samples; any other unreadable file fails the part
// too. Reads the filesystem; thread-compatible.
#pragma once

#include <string>

#include "agent/core/status.h"
#include "collectors/system/sample_sink.h"

namespace tocsin::system {

Status ReadBonding(const std::string& sysfs, SampleSink& sink);

}  // namespace tocsin::system
