#include "collectors/system/ipvs.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <optional>
#include <utility>

#include "collectors/system/go_strconv.h"

namespace tocsin::system {
namespace {

constexpr std::string_view kAllLabels[] = {"local_address", "local_port", "remote_address",
                                           "remote_port",   "proto",      "local_mark"};

struct IpPort {
  std::string ip;  // "" for none (FWM services)
  uint16_t port = 0;
};

std::optional<int> HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return std::nullopt;
}

// procfs' parseIPPort: "0A000001:0050" (hex IPv4) or "[2620:0:...:1]:0050" (46 chars).
Result<IpPort> ParseIpPort(std::string_view s) {
  IpPort out;
  if (s.size() == 13) {
    std::array<unsigned char, 4> ip;
    for (size_t i = 0; i < 4; ++i) {
      std::optional<int> hi = HexDigit(s[2 * i]), lo = HexDigit(s[2 * i + 1]);
      if (!hi || !lo) return InvalidArgument("ip_vs: bad IPv4 address: " + std::string(s));
      ip[i] = static_cast<unsigned char>(*hi * 16 + *lo);
    }
    out.ip = GoIpString(ip.data(), ip.size());
  } else if (s.size() == 46) {
    const std::string addr(s.substr(1, 39));
    std::array<unsigned char, 16> ip{};
    if (::inet_pton(AF_INET6, addr.c_str(), ip.data()) == 1) {
      out.ip = GoIpString(ip.data(), ip.size());
    } else if (::inet_pton(AF_INET, addr.c_str(), ip.data()) == 1) {  // net.ParseIP takes IPv4
      out.ip = GoIpString(ip.data(), 4);
    } else {
      return InvalidArgument("ip_vs: invalid IPv6 address: " + addr);
    }
  } else {
    return InvalidArgument("ip_vs: unexpected IP:Port: " + std::string(s));
  }
  std::optional<uint64_t> port = GoParseUint(s.substr(s.size() - 4), 16, 16);
  if (!port) return InvalidArgument("ip_vs: bad port: " + std::string(s));
  out.port = static_cast<uint16_t>(*port);
  return out;
}

}  // namespace

std::string GoIpString(const unsigned char* ip, size_t len) {
  char buf[64];
  auto dotted = [&](const unsigned char* p) {
    std::snprintf(buf, sizeof(buf), "%u.%u.%u.%u", p[0], p[1], p[2], p[3]);
    return std::string(buf);
  };
  if (len == 4) return dotted(ip);
  if (len != 16) return "?";
  if (std::all_of(ip, ip + 10, [](unsigned char b) { return b == 0; }) && ip[10] == 0xff &&
      ip[11] == 0xff) {
    return dotted(ip + 12);
  }
  // The longest run (first of equals) of at least two zero groups becomes "::".
  int best = -1, best_len = 0;
  for (int i = 0; i < 8;) {
    int j = i;
    while (j < 8 && ip[2 * j] == 0 && ip[2 * j + 1] == 0) ++j;
    if (j - i > best_len) best = i, best_len = j - i;
    i = j > i ? j : i + 1;
  }
  if (best_len < 2) best = -1;
  std::string out;
  for (int i = 0; i < 8; ++i) {
    if (i == best) {
      out += "::";
      i += best_len - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    std::snprintf(buf, sizeof(buf), "%x", (ip[2 * i] << 8) | ip[2 * i + 1]);
    out += buf;
  }
  return out;
}

Result<std::vector<std::string>> ParseIpvsLabels(std::string_view list) {
  std::vector<std::string_view> wanted;
  for (size_t start = 0; start <= list.size();) {
    size_t comma = std::min(list.find(',', start), list.size());
    if (comma > start) wanted.push_back(list.substr(start, comma - start));
    start = comma + 1;
  }
  std::vector<std::string> out;
  for (std::string_view label : kAllLabels) {
    if (std::find(wanted.begin(), wanted.end(), label) != wanted.end()) {
      out.emplace_back(label);
    }
  }
  std::vector<std::string> unknown;
  for (std::string_view w : wanted) {
    if (std::find(std::begin(kAllLabels), std::end(kAllLabels), w) == std::end(kAllLabels) &&
        std::find(unknown.begin(), unknown.end(), w) == unknown.end()) {
      unknown.emplace_back(w);
    }
  }
  if (!unknown.empty()) {
    std::sort(unknown.begin(), unknown.end());
    std::string msg = "unknown IPVS backend labels: ";
    for (size_t i = 0; i < unknown.size(); ++i) msg += (i ? ", " : "") + unknown[i];
    return InvalidArgument(std::move(msg));
  }
  return out;
}

Status ParseIpvsStats(std::string_view text, SampleSink& sink) {
  // strings.SplitN(content, "\n", 4) must yield four parts; the third holds the totals.
  std::string_view rest = text;
  std::string_view lines[3];
  for (std::string_view& line : lines) {
    size_t nl = rest.find('\n');
    if (nl == std::string_view::npos) return InvalidArgument("ip_vs_stats corrupt: too short");
    line = rest.substr(0, nl);
    rest.remove_prefix(nl + 1);
  }
  std::vector<std::string_view> f = GoFields(lines[2]);
  if (f.size() != 5) {
    return InvalidArgument("ip_vs_stats corrupt: unexpected number of fields");
  }
  std::array<double, 5> v;
  for (size_t i = 0; i < 5; ++i) {
    std::optional<uint64_t> x = GoParseUint(f[i], 16, 64);
    if (!x) return InvalidArgument("ip_vs_stats: bad value: " + std::string(f[i]));
    v[i] = static_cast<double>(*x);
  }
  struct Total {
    std::string_view name, help;
  };
  constexpr Total kTotals[] = {
      {"node_ipvs_connections_total", "The total number of connections made."},
      {"node_ipvs_incoming_packets_total", "The total number of incoming packets."},
      {"node_ipvs_outgoing_packets_total", "The total number of outgoing packets."},
      {"node_ipvs_incoming_bytes_total", "The total amount of incoming data."},
      {"node_ipvs_outgoing_bytes_total", "The total amount of outgoing data."},
  };
  for (size_t i = 0; i < 5; ++i) {
    sink.Family(kTotals[i].name, MetricType::kCounter, kTotals[i].help);
    sink.Add(kTotals[i].name, v[i]);
  }
  return Status::Ok();
}

Status ParseIpvsBackends(std::string_view text, const std::vector<std::string>& backend_labels,
                         SampleSink& sink) {
  struct Sum {
    std::vector<std::string> values;
    double active = 0, inactive = 0, weight = 0;
  };
  std::vector<std::pair<std::string, Sum>> sums;  // by joined label values, first-seen order
  std::string proto, local_mark;
  IpPort local;
  for (std::string_view line; NextLine(text, line);) {
    std::vector<std::string_view> f = GoFields(line);
    if (f.empty() || f[0] == "IP" || f[0] == "Prot") continue;
    if (f.size() < 2) return InvalidArgument("ip_vs: unexpected line: " + std::string(line));
    if (f[1] == "RemoteAddress:Port") continue;
    if (f[0] == "TCP" || f[0] == "UDP") {
      Result<IpPort> ip = ParseIpPort(f[1]);
      if (!ip.ok()) return ip.status();
      proto = std::string(f[0]);
      local_mark.clear();
      local = *ip;
    } else if (f[0] == "FWM") {
      proto = std::string(f[0]);
      local_mark = std::string(f[1]);
      local = IpPort{};
    } else if (f[0] == "->") {
      if (f.size() < 6) continue;
      Result<IpPort> remote = ParseIpPort(f[1]);
      if (!remote.ok()) return remote.status();
      std::optional<uint64_t> weight = GoParseUint(f[3], 10);
      std::optional<uint64_t> active = GoParseUint(f[4], 10);
      std::optional<uint64_t> inactive = GoParseUint(f[5], 10);
      if (!weight || !active || !inactive) {
        return InvalidArgument("ip_vs: bad number in: " + std::string(line));
      }
      std::vector<std::string> values;
      std::string key;
      for (const std::string& label : backend_labels) {
        std::string v;
        if (label == "local_address") v = local.ip;
        if (label == "local_port") v = std::to_string(local.port);
        if (label == "remote_address") v = remote->ip;
        if (label == "remote_port") v = std::to_string(remote->port);
        if (label == "proto") v = proto;
        if (label == "local_mark") v = local_mark;
        key += (values.empty() ? "" : "-") + v;
        values.push_back(std::move(v));
      }
      auto it =
          std::find_if(sums.begin(), sums.end(), [&](const auto& s) { return s.first == key; });
      if (it == sums.end()) it = sums.insert(sums.end(), {key, Sum{}});
      it->second.values = std::move(values);
      // uint64 sums, as node_exporter adds them before converting.
      it->second.active += static_cast<double>(*active);
      it->second.inactive += static_cast<double>(*inactive);
      it->second.weight += static_cast<double>(*weight);
    }
  }
  constexpr std::string_view kActive = "node_ipvs_backend_connections_active";
  constexpr std::string_view kInactive = "node_ipvs_backend_connections_inactive";
  constexpr std::string_view kWeight = "node_ipvs_backend_weight";
  sink.Family(kActive, MetricType::kGauge,
              "The current active connections by local and remote address.");
  sink.Family(kInactive, MetricType::kGauge,
              "The current inactive connections by local and remote address.");
  sink.Family(kWeight, MetricType::kGauge,
              "The current backend weight by local and remote address.");
  for (const auto& [key, sum] : sums) {
    std::vector<Label> labels;
    for (size_t i = 0; i < backend_labels.size(); ++i) {
      labels.push_back({backend_labels[i], sum.values[i]});
    }
    sink.Add(kActive, labels, sum.active);
    sink.Add(kInactive, labels, sum.inactive);
    sink.Add(kWeight, std::move(labels), sum.weight);
  }
  return Status::Ok();
}

Status ReadIpvs(const std::string& procfs, const std::vector<std::string>& backend_labels,
                ProcFile& file, SampleSink& sink) {
  Result<std::string_view> stats = file.Read(JoinPath(procfs, "net/ip_vs_stats"));
  if (!stats.ok()) return stats.status();
  Status st = ParseIpvsStats(*stats, sink);
  if (!st.ok()) return st;
  Result<std::string_view> backends = file.Read(JoinPath(procfs, "net/ip_vs"));
  if (!backends.ok()) {
    return Internal("could not get backend status: " + backends.status().message());
  }
  return ParseIpvsBackends(*backends, backend_labels, sink);
}

}  // namespace tocsin::system
