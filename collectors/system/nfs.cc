#include "collectors/system/nfs.h"

#include <algorithm>
#include <array>
#include <optional>
#include <string>

#include "collectors/system/go_strconv.h"
#include "collectors/system/proc_file.h"

namespace tocsin::system {
namespace {

// procfs' V2Stats, V3Stats and ClientV4Stats field names, in file order (node_exporter's
// `method` label is the Go field name).
constexpr std::string_view kV2[] = {"Null", "GetAttr", "SetAttr", "Root",   "Lookup",  "ReadLink",
                                    "Read", "WrCache", "Write",   "Create", "Remove",  "Rename",
                                    "Link", "SymLink", "MkDir",   "RmDir",  "ReadDir", "FsStat"};
constexpr std::string_view kV3[] = {
    "Null",    "GetAttr",     "SetAttr", "Lookup", "Access",   "ReadLink", "Read",   "Write",
    "Create",  "MkDir",       "SymLink", "MkNod",  "Remove",   "RmDir",    "Rename", "Link",
    "ReadDir", "ReadDirPlus", "FsStat",  "FsInfo", "PathConf", "Commit"};
constexpr std::string_view kV4[] = {"Null",
                                    "Read",
                                    "Write",
                                    "Commit",
                                    "Open",
                                    "OpenConfirm",
                                    "OpenNoattr",
                                    "OpenDowngrade",
                                    "Close",
                                    "Setattr",
                                    "FsInfo",
                                    "Renew",
                                    "SetClientID",
                                    "SetClientIDConfirm",
                                    "Lock",
                                    "Lockt",
                                    "Locku",
                                    "Access",
                                    "Getattr",
                                    "Lookup",
                                    "LookupRoot",
                                    "Remove",
                                    "Rename",
                                    "Link",
                                    "Symlink",
                                    "Create",
                                    "Pathconf",
                                    "StatFs",
                                    "ReadLink",
                                    "ReadDir",
                                    "ServerCaps",
                                    "DelegReturn",
                                    "GetACL",
                                    "SetACL",
                                    "FsLocations",
                                    "ReleaseLockowner",
                                    "Secinfo",
                                    "FsidPresent",
                                    "ExchangeID",
                                    "CreateSession",
                                    "DestroySession",
                                    "Sequence",
                                    "GetLeaseTime",
                                    "ReclaimComplete",
                                    "LayoutGet",
                                    "GetDeviceInfo",
                                    "LayoutCommit",
                                    "LayoutReturn",
                                    "SecinfoNoName",
                                    "TestStateID",
                                    "FreeStateID",
                                    "GetDeviceList",
                                    "BindConnToSession",
                                    "DestroyClientID",
                                    "Seek",
                                    "Allocate",
                                    "DeAllocate",
                                    "LayoutStats",
                                    "Clone"};
static_assert(std::size(kV2) == 18 && std::size(kV3) == 22 && std::size(kV4) == 59);

Status Bad(std::string_view what, std::string_view line) {
  return InvalidArgument("net/rpc/nfs: " + std::string(what) + ": " + std::string(line));
}

// Copies the procedure counts (values[1..]) into `out`, zero-padded.
template <size_t N>
void Procs(const std::vector<uint64_t>& v, std::array<uint64_t, N>& out) {
  out.fill(0);
  for (size_t i = 1; i < v.size() && i <= N; ++i) out[i - 1] = v[i];
}

}  // namespace

Status ParseNfsLine(std::string_view line, std::string_view file, NfsLine& out, size_t max_values) {
  std::vector<std::string_view> parts = GoFields(line);
  // require at least <key> <value>
  if (parts.size() < 2) {
    return InvalidArgument(std::string(file) + ": invalid metric line: " + std::string(line));
  }
  out.key = parts[0];
  out.values.clear();
  size_t end = max_values > 0 ? std::min(parts.size(), 1 + max_values) : parts.size();
  for (size_t i = 1; i < end; ++i) {
    std::optional<uint64_t> v = GoParseUint(parts[i], 10);
    if (!v) return InvalidArgument(std::string(file) + ": bad value in: " + std::string(line));
    out.values.push_back(*v);
  }
  return Status::Ok();
}

bool NfsProcCountOk(const std::vector<uint64_t>& v, uint64_t min) {
  return v.size() - 1 == v[0] && v[0] >= min;
}

Status ParseNfsClient(std::string_view text, SampleSink& sink) {
  std::array<uint64_t, 4> net{};
  std::array<uint64_t, 3> rpc{};
  std::array<uint64_t, 18> v2{};
  std::array<uint64_t, 22> v3{};
  std::array<uint64_t, 59> v4{};
  NfsLine l;
  for (std::string_view line; NextLine(text, line);) {
    Status st = ParseNfsLine(line, "net/rpc/nfs", l);
    if (!st.ok()) return st;
    const std::vector<uint64_t>& v = l.values;
    if (l.key == "net") {
      if (v.size() != 4) return Bad("invalid Network line", line);
      std::copy(v.begin(), v.end(), net.begin());
    } else if (l.key == "rpc") {
      if (v.size() != 3) return Bad("invalid RPC line", line);
      std::copy(v.begin(), v.end(), rpc.begin());
    } else if (l.key == "proc2") {
      if (!NfsProcCountOk(v, 18)) return Bad("invalid V2Stats line", line);
      Procs(v, v2);
    } else if (l.key == "proc3") {
      if (!NfsProcCountOk(v, 22)) return Bad("invalid V3Stats line", line);
      Procs(v, v3);
    } else if (l.key == "proc4") {
      if (!NfsProcCountOk(v, 0)) return Bad("invalid ClientV4Stats line", line);
      Procs(v, v4);
    } else {
      return Bad("unknown NFS metric line", line);
    }
  }

  constexpr std::string_view kPackets = "node_nfs_packets_total";
  constexpr std::string_view kRequests = "node_nfs_requests_total";
  auto d = [](uint64_t x) { return static_cast<double>(x); };
  sink.Family(kPackets, MetricType::kCounter,
              "Total NFSd network packets (sent+received) by protocol type.");
  sink.Add(kPackets, {{"protocol", "udp"}}, d(net[1]));
  sink.Add(kPackets, {{"protocol", "tcp"}}, d(net[2]));
  struct Scalar {
    std::string_view name, help;
    uint64_t value;
  };
  for (const Scalar& s : {
           Scalar{"node_nfs_connections_total", "Total number of NFSd TCP connections.", net[3]},
           Scalar{"node_nfs_rpcs_total", "Total number of RPCs performed.", rpc[0]},
           Scalar{"node_nfs_rpc_retransmissions_total", "Number of RPC transmissions performed.",
                  rpc[1]},
           Scalar{"node_nfs_rpc_authentication_refreshes_total",
                  "Number of RPC authentication refreshes performed.", rpc[2]},
       }) {
    sink.Family(s.name, MetricType::kCounter, s.help);
    sink.Add(s.name, d(s.value));
  }
  sink.Family(kRequests, MetricType::kCounter, "Number of NFS procedures invoked.");
  auto procs = [&](std::string_view proto, const auto& names, const auto& values) {
    for (size_t i = 0; i < std::size(names); ++i) {
      sink.Add(kRequests, {{"proto", std::string(proto)}, {"method", std::string(names[i])}},
               d(values[i]));
    }
  };
  procs("2", kV2, v2);
  procs("3", kV3, v3);
  procs("4", kV4, v4);
  return Status::Ok();
}

}  // namespace tocsin::system
