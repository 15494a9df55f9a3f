#include "collectors/system/bonding.h"

#include <utility>
#include <vector>

#include "collectors/system/go_strconv.h"
#include "collectors/system/proc_file.h"
#include "collectors/system/sysfs_file.h"

namespace tocsin::system {
namespace {

Result<std::string> ReadAll(const std::string& path) {
  SysFileRead r = ReadWhole(path);
  if (!r.ok()) return r.ToStatus(path);
  return std::move(r.text);
}

}  // namespace

Status ReadBonding(const std::string& sysfs, SampleSink& sink) {
  const std::string root = JoinPath(sysfs, "class/net");
  Result<std::string> masters = ReadAll(JoinPath(root, "bonding_masters"));
  if (!masters.ok()) return masters.status();
  struct Bond {
    std::string master;
    int slaves = 0, active = 0;
  };
  std::vector<Bond> bonds;
  for (std::string_view master : GoFields(*masters)) {
    const std::string dir = JoinPath(root, master);
    Result<std::string> slaves = ReadAll(JoinPath(dir, "bonding/slaves"));
    if (!slaves.ok()) return slaves.status();
    Bond bond{std::string(master)};
    for (std::string_view slave : GoFields(*slaves)) {
      SysFileRead state =
          ReadWhole(JoinPath(dir, "lower_" + std::string(slave) + "/bonding_slave/mii_status"));
      if (state.not_exist()) {  // some older kernels use the slave_ prefix
        state =
            ReadWhole(JoinPath(dir, "slave_" + std::string(slave) + "/bonding_slave/mii_status"));
      }
      if (!state.ok()) return state.ToStatus(JoinPath(dir, std::string(slave)));
      ++bond.slaves;
      if (GoTrimSpace(state.text) == "up") ++bond.active;
    }
    // A master listed twice is reported once (node_exporter keeps them in a map).
    bool seen = false;
    for (Bond& b : bonds) {
      if (b.master == bond.master) b = bond, seen = true;
    }
    if (!seen) bonds.push_back(std::move(bond));
  }
  sink.Family("node_bonding_slaves", MetricType::kGauge,
              "Number of configured slaves per bonding interface.");
  sink.Family("node_bonding_active", MetricType::kGauge,
              "Number of active slaves per bonding interface.");
  for (const Bond& b : bonds) {
    sink.Add("node_bonding_slaves", {{"master", b.master}}, b.slaves);
    sink.Add("node_bonding_active", {{"master", b.master}}, b.active);
  }
  return Status::Ok();
}

}  // namespace tocsin::system
