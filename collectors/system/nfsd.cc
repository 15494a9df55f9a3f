#include "collectors/system/nfsd.h"

#include <algorithm>
#include <array>
#include <string>
#include <utility>
#include <vector>

#include "collectors/system/go_strconv.h"
#include "collectors/system/nfs.h"
#include "collectors/system/proc_file.h"

namespace tocsin::system {
namespace {

// (method label, index into the procN values after the count) as node_exporter 1.5's
// updateNFSdRequestsv{2,3,4}Stats export them: v2/v3 without Null, v4 from procfs' V4Ops
// without the Op0Unused/Op1Unused/Op2Future/PutPubFH/PutRootFH operations.
using Method = std::pair<std::string_view, size_t>;
constexpr Method kV2[] = {
    {"GetAttr", 1},  {"SetAttr", 2}, {"Root", 3},   {"Lookup", 4},   {"ReadLink", 5}, {"Read", 6},
    {"WrCache", 7},  {"Write", 8},   {"Create", 9}, {"Remove", 10},  {"Rename", 11},  {"Link", 12},
    {"SymLink", 13}, {"MkDir", 14},  {"RmDir", 15}, {"ReadDir", 16}, {"FsStat", 17}};
constexpr Method kV3[] = {{"GetAttr", 1},      {"SetAttr", 2},  {"Lookup", 3},  {"Access", 4},
                          {"ReadLink", 5},     {"Read", 6},     {"Write", 7},   {"Create", 8},
                          {"MkDir", 9},        {"SymLink", 10}, {"MkNod", 11},  {"Remove", 12},
                          {"RmDir", 13},       {"Rename", 14},  {"Link", 15},   {"ReadDir", 16},
                          {"ReadDirPlus", 17}, {"FsStat", 18},  {"FsInfo", 19}, {"PathConf", 20},
                          {"Commit", 21}};
constexpr Method kV4[] = {
    {"Access", 3},       {"Close", 4},        {"Commit", 5},     {"Create", 6},
    {"DelegPurge", 7},   {"DelegReturn", 8},  {"GetAttr", 9},    {"GetFH", 10},
    {"Link", 11},        {"Lock", 12},        {"Lockt", 13},     {"Locku", 14},
    {"Lookup", 15},      {"LookupRoot", 16},  {"Nverify", 17},   {"Open", 18},
    {"OpenAttr", 19},    {"OpenConfirm", 20}, {"OpenDgrd", 21},  {"PutFH", 22},
    {"Read", 25},        {"ReadDir", 26},     {"ReadLink", 27},  {"Remove", 28},
    {"Rename", 29},      {"Renew", 30},       {"RestoreFH", 31}, {"SaveFH", 32},
    {"SecInfo", 33},     {"SetAttr", 34},     {"Verify", 35},    {"Write", 36},
    {"RelLockOwner", 37}};

Status Bad(std::string_view what, std::string_view line) {
  return InvalidArgument("net/rpc/nfsd: " + std::string(what) + ": " + std::string(line));
}

template <size_t N>
void Copy(const std::vector<uint64_t>& v, size_t from, std::array<uint64_t, N>& out) {
  out.fill(0);
  for (size_t i = from; i < v.size() && i - from < N; ++i) out[i - from] = v[i];
}

}  // namespace

Status ParseNfsd(std::string_view text, SampleSink& sink) {
  std::array<uint64_t, 3> rc{};
  std::array<uint64_t, 5> fh{};
  std::array<uint64_t, 2> io{};
  std::array<uint64_t, 2> th{};
  std::array<uint64_t, 12> ra{};
  std::array<uint64_t, 4> net{};
  std::array<uint64_t, 5> rpc{};
  std::array<uint64_t, 18> v2{};  // values after the count, index 0 = Null
  std::array<uint64_t, 22> v3{};
  std::array<uint64_t, 38> v4ops{};
  NfsLine l;
  for (std::string_view line; NextLine(text, line);) {
    // "th" carries the thread count and the "full" count, then (older kernels) a histogram
    // of fractional seconds that procfs does not parse.
    std::vector<std::string_view> parts = GoFields(line);
    bool threads = parts.size() >= 2 && parts[0] == "th";
    if (threads && parts.size() < 3) return Bad("invalid NFSd th metric line", line);
    Status st = ParseNfsLine(line, "net/rpc/nfsd", l, threads ? 2 : 0);
    if (!st.ok()) return st;
    const std::vector<uint64_t>& v = l.values;
    auto exact = [&](auto& out, std::string_view what) -> Status {
      if (v.size() != out.size()) return Bad(what, line);
      std::copy(v.begin(), v.end(), out.begin());
      return Status::Ok();
    };
    if (l.key == "rc") {
      st = exact(rc, "invalid ReplyCache line");
    } else if (l.key == "fh") {
      st = exact(fh, "invalid FileHandles line");
    } else if (l.key == "io") {
      st = exact(io, "invalid InputOutput line");
    } else if (l.key == "th") {
      st = exact(th, "invalid Threads line");
    } else if (l.key == "ra") {
      st = exact(ra, "invalid ReadAheadCache line");
    } else if (l.key == "net") {
      st = exact(net, "invalid Network line");
    } else if (l.key == "rpc") {
      st = exact(rpc, "invalid RPC line");
    } else if (l.key == "proc2") {
      st = NfsProcCountOk(v, 18) ? (Copy(v, 1, v2), Status::Ok())
                                 : Bad("invalid V2Stats line", line);
    } else if (l.key == "proc3") {
      st = NfsProcCountOk(v, 22) ? (Copy(v, 1, v3), Status::Ok())
                                 : Bad("invalid V3Stats line", line);
    } else if (l.key == "proc4") {
      st = v.size() == 3 && v[0] == 2 ? Status::Ok() : Bad("invalid V4Stats line", line);
    } else if (l.key == "proc4ops") {
      st = NfsProcCountOk(v, 39) ? (Copy(v, 1, v4ops), Status::Ok())
                                 : Bad("invalid V4Ops line", line);
    } else {
      st = Bad("unknown NFSd metric line", line);
    }
    if (!st.ok()) return st;
  }

  auto d = [](uint64_t x) { return static_cast<double>(x); };
  struct Scalar {
    std::string_view name;
    MetricType type;
    std::string_view help;
    uint64_t value;
  };
  constexpr MetricType kC = MetricType::kCounter;
  auto scalars = [&](std::initializer_list<Scalar> list) {
    for (const Scalar& s : list) {
      sink.Family(s.name, s.type, s.help);
      sink.Add(s.name, d(s.value));
    }
  };
  scalars({
      {"node_nfsd_reply_cache_hits_total", kC,
       "Total number of NFSd Reply Cache hits (client lost server response).", rc[0]},
      {"node_nfsd_reply_cache_misses_total", kC,
       "Total number of NFSd Reply Cache an operation that requires caching (idempotent).", rc[1]},
      {"node_nfsd_reply_cache_nocache_total", kC,
       "Total number of NFSd Reply Cache non-idempotent operations (rename/delete/…).", rc[2]},
      {"node_nfsd_file_handles_stale_total", kC, "Total number of NFSd stale file handles", fh[0]},
      {"node_nfsd_disk_bytes_read_total", kC, "Total NFSd bytes read.", io[0]},
      {"node_nfsd_disk_bytes_written_total", kC, "Total NFSd bytes written.", io[1]},
      {"node_nfsd_server_threads", MetricType::kGauge,
       "Total number of NFSd kernel threads that are running.", th[0]},
      {"node_nfsd_read_ahead_cache_size_blocks", MetricType::kGauge,
       "How large the read ahead cache is in blocks.", ra[0]},
      {"node_nfsd_read_ahead_cache_not_found_total", kC,
       "Total number of NFSd read ahead cache not found.", ra[11]},
  });
  sink.Family("node_nfsd_packets_total", kC,
              "Total NFSd network packets (sent+received) by protocol type.");
  sink.Add("node_nfsd_packets_total", {{"proto", "udp"}}, d(net[1]));
  sink.Add("node_nfsd_packets_total", {{"proto", "tcp"}}, d(net[2]));
  scalars({{"node_nfsd_connections_total", kC, "Total number of NFSd TCP connections.", net[3]}});
  sink.Family("node_nfsd_rpc_errors_total", kC, "Total number of NFSd RPC errors by error type.");
  sink.Add("node_nfsd_rpc_errors_total", {{"error", "fmt"}}, d(rpc[2]));
  sink.Add("node_nfsd_rpc_errors_total", {{"error", "auth"}}, d(rpc[3]));
  sink.Add("node_nfsd_rpc_errors_total", {{"error", "cInt"}}, d(rpc[4]));
  scalars({{"node_nfsd_server_rpcs_total", kC, "Total number of NFSd RPCs.", rpc[0]}});
  constexpr std::string_view kRequests = "node_nfsd_requests_total";
  sink.Family(kRequests, kC, "Total number NFSd Requests by method and protocol.");
  auto procs = [&](std::string_view proto, const auto& methods, const auto& values) {
    for (const auto& [method, index] : methods) {
      sink.Add(kRequests, {{"proto", std::string(proto)}, {"method", std::string(method)}},
               d(values[index]));
    }
  };
  procs("2", kV2, v2);
  procs("3", kV3, v3);
  procs("4", kV4, v4ops);
  return Status::Ok();
}

}  // namespace tocsin::system
