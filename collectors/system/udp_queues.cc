#include "collectors/system/udp_queues.h"

#include <array>
#include <optional>

#include "collectors/system/go_strconv.h"

namespace tocsin::system {
namespace {

// Splits "a:b" into exactly two parts (strings.Split(s, ":") with length 2).
bool SplitColon(std::string_view s, std::string_view& a, std::string_view& b) {
  size_t colon = s.find(':');
  if (colon == std::string_view::npos || s.find(':', colon + 1) != std::string_view::npos) {
    return false;
  }
  a = s.substr(0, colon);
  b = s.substr(colon + 1);
  return true;
}

// procfs parseIP: 8 or 32 hex digits (4 or 16 bytes).
bool ValidHexIp(std::string_view s) {
  if (s.size() != 8 && s.size() != 32) return false;
  for (char c : s) {
    bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!hex) return false;
  }
  return true;
}

// Checks an "address:port" column.
bool ValidEndpoint(std::string_view s) {
  std::string_view ip;
  std::string_view port;
  return SplitColon(s, ip, port) && ValidHexIp(ip) && GoParseUint(port, 16).has_value();
}

}  // namespace

Result<UdpQueueSummary> ParseUdpQueues(std::string_view text) {
  UdpQueueSummary sum;
  std::string_view line;
  NextLine(text, line);  // header
  size_t lineno = 1;
  while (NextLine(text, line)) {
    ++lineno;
    std::array<std::string_view, 10> f;
    size_t n = 0;
    std::string_view field;
    while (NextField(line, field)) {
      if (n < f.size()) f[n] = field;
      ++n;
    }
    auto bad = [&](std::string_view what) {
      return InvalidArgument("udp: cannot parse " + std::string(what) + " on line " +
                             std::to_string(lineno));
    };
    if (n < f.size()) return bad("socket line with fewer than 10 columns");
    std::string_view sl;
    std::string_view empty;
    if (!SplitColon(f[0], sl, empty) || !GoParseUint(sl, 0)) return bad("sl");
    if (!ValidEndpoint(f[1])) return bad("local_address");
    if (!ValidEndpoint(f[2])) return bad("rem_address");
    if (!GoParseUint(f[3], 16)) return bad("st");
    std::string_view tx_text;
    std::string_view rx_text;
    if (!SplitColon(f[4], tx_text, rx_text)) return bad("tx/rx queues");
    std::optional<uint64_t> tx = GoParseUint(tx_text, 16);
    std::optional<uint64_t> rx = GoParseUint(rx_text, 16);
    if (!tx || !rx) return bad("tx/rx queues");
    if (!GoParseUint(f[7], 0)) return bad("uid");
    if (!GoParseUint(f[9], 0)) return bad("inode");
    sum.tx += *tx;
    sum.rx += *rx;
    ++sum.sockets;
  }
  return sum;
}

Status ReadUdpQueues(const std::string& procfs, ProcFile& file, SampleSink& sink) {
  static constexpr std::string_view kName = "node_udp_queues";
  sink.Family(kName, MetricType::kGauge,
              "Number of allocated memory in the kernel for UDP datagrams in bytes.");
  bool any = false;
  for (bool v6 : {false, true}) {
    Result<std::string_view> text = file.Read(JoinPath(procfs, v6 ? "net/udp6" : "net/udp"));
    if (!text.ok()) {
      if (text.status().code() == StatusCode::kNotFound) continue;
      return text.status();
    }
    Result<UdpQueueSummary> sum = ParseUdpQueues(*text);
    if (!sum.ok()) return sum.status().WithContext(v6 ? "net/udp6" : "net/udp");
    any = true;
    std::string ip = v6 ? "v6" : "v4";
    sink.Add(kName, {{"queue", "tx"}, {"ip", ip}}, static_cast<double>(sum->tx));
    sink.Add(kName, {{"queue", "rx"}, {"ip", ip}}, static_cast<double>(sum->rx));
  }
  if (!any) return NotFound(JoinPath(procfs, "net/udp") + " and udp6: no such files");
  return Status::Ok();
}

}  // namespace tocsin::system
