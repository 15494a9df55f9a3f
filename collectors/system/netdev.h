// Parser of <procfs>/net/dev into node_exporter's node_network_{receive,transmit}_*_total
// counters with {device}. Devices matching `exclude` (unanchored, node_exporter's
// --collector.netdev.device-exclude) are skipped. node_exporter 1.5 reads the same counters
// over netlink, which adds rx_nohandler (node_network_receive_nohandler_total); /proc/net/dev
// lacks it, so `rx_nohandler` looks it up per device (the collector reads
// <sysfs>/class/net/<device>/statistics/rx_nohandler, the same kernel counter); a device
// without it has no such sample. Pure function but for `rx_nohandler`; a malformed line fails
// the whole file. Thread-compatible.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

#include "agent/core/regex.h"
#include "agent/core/status.h"
#include "collectors/system/sample_sink.h"

namespace tocsin::system {

using NoHandlerLookup = std::function<std::optional<uint64_t>(std::string_view device)>;

Status ParseNetDev(std::string_view text, const Regex& exclude, SampleSink& sink,
                   const NoHandlerLookup& rx_nohandler = {});

}  // namespace tocsin::system
