#include "collectors/system/netdev.h"

#include <array>
#include <string>

#include "collectors/system/proc_file.h"

namespace tocsin::system {
namespace {

// The 16 columns of /proc/net/dev, in order.
constexpr std::array<std::string_view, 16> kMetrics = {
    "node_network_receive_bytes_total",      "node_network_receive_packets_total",
    "node_network_receive_errs_total",       "node_network_receive_drop_total",
    "node_network_receive_fifo_total",       "node_network_receive_frame_total",
    "node_network_receive_compressed_total", "node_network_receive_multicast_total",
    "node_network_transmit_bytes_total",     "node_network_transmit_packets_total",
    "node_network_transmit_errs_total",      "node_network_transmit_drop_total",
    "node_network_transmit_fifo_total",      "node_network_transmit_colls_total",
    "node_network_transmit_carrier_total",   "node_network_transmit_compressed_total",
};

}  // namespace

Status ParseNetDev(std::string_view text, const Regex& exclude, SampleSink& sink,
                   const NoHandlerLookup& rx_nohandler) {
  constexpr std::string_view kNoHandler = "node_network_receive_nohandler_total";
  bool nohandler_family = false;
  for (std::string_view m : kMetrics) {
    // "node_network_receive_bytes_total" -> "Network device statistic receive_bytes."
    std::string_view stat = m.substr(std::string_view("node_network_").size());
    stat.remove_suffix(std::string_view("_total").size());
    sink.Family(m, MetricType::kCounter, "Network device statistic " + std::string(stat) + ".");
  }
  std::string_view line;
  int header = 0;
  std::array<double, kMetrics.size()> values{};
  while (NextLine(text, line)) {
    size_t colon = line.rfind(':');
    if (colon == std::string_view::npos) {
      // The two header lines ("Inter-|   Receive ...", " face |bytes ...") have no colon.
      if (line.find('|') != std::string_view::npos && header < 2) {
        ++header;
        continue;
      }
      if (Trim(line).empty()) continue;
      return InvalidArgument("net/dev: malformed line \"" + std::string(line.substr(0, 80)) + "\"");
    }
    std::string_view device = Trim(line.substr(0, colon));
    std::string_view rest = line.substr(colon + 1);
    if (device.empty()) return InvalidArgument("net/dev: line without device name");
    size_t n = 0;
    std::string_view field;
    while (NextField(rest, field)) {
      auto v = ParseUint64(field);
      if (!v || n >= values.size()) {
        return InvalidArgument("net/dev: bad values for " + std::string(device));
      }
      values[n++] = static_cast<double>(*v);
    }
    if (n != values.size()) {
      return InvalidArgument("net/dev: wrong column count for " + std::string(device));
    }
    if (exclude.Matches(device)) continue;
    std::string dev(device);
    for (size_t i = 0; i < kMetrics.size(); ++i) {
      sink.Add(kMetrics[i], {{"device", dev}}, values[i]);
    }
    if (!rx_nohandler) continue;
    if (std::optional<uint64_t> v = rx_nohandler(dev)) {
      if (!nohandler_family) {
        nohandler_family = true;
        sink.Family(kNoHandler, MetricType::kCounter,
                    "Network device statistic receive_nohandler.");
      }
      sink.Add(kNoHandler, {{"device", dev}}, static_cast<double>(*v));
    }
  }
  return Status::Ok();
}

}  // namespace tocsin::system
