#include "collectors/system/dmi.h"

#include <utility>
#include <vector>

#include "collectors/system/proc_file.h"
#include "collectors/system/sysfs_file.h"

namespace tocsin::system {
namespace {

// File name → label name, for the files node_exporter 1.5 exports (chassis_type is read by
// procfs but not exported).
constexpr std::pair<std::string_view, std::string_view> kFiles[] = {
    {"bios_date", "bios_date"},
    {"bios_release", "bios_release"},
    {"bios_vendor", "bios_vendor"},
    {"bios_version", "bios_version"},
    {"board_asset_tag", "board_asset_tag"},
    {"board_name", "board_name"},
    {"board_serial", "board_serial"},
    {"board_vendor", "board_vendor"},
    {"board_version", "board_version"},
    {"chassis_asset_tag", "chassis_asset_tag"},
    {"chassis_serial", "chassis_serial"},
    {"chassis_vendor", "chassis_vendor"},
    {"chassis_version", "chassis_version"},
    {"product_family", "product_family"},
    {"product_name", "product_name"},
    {"product_serial", "product_serial"},
    {"product_sku", "product_sku"},
    {"product_uuid", "product_uuid"},
    {"product_version", "product_version"},
    {"sys_vendor", "system_vendor"},
};

}  // namespace

Status ReadDmi(const std::string& sysfs, SampleSink& sink) {
  const std::string dir = JoinPath(sysfs, "class/dmi/id");
  std::vector<DirEntry> entries;
  Status st = ReadDirSorted(dir, entries);
  if (!st.ok()) return st;
  std::vector<Label> labels;
  for (const DirEntry& e : entries) {
    if (e.kind != EntryKind::kRegular || e.name == "modalias" || e.name == "uevent") continue;
    const std::string path = JoinPath(dir, e.name);
    SysFileRead r = SysRead(path);
    if (!r.ok()) {
      if (r.permission()) continue;  // only root may read the serials and product_uuid
      return r.ToStatus(path);
    }
    for (const auto& [file, label] : kFiles) {
      if (e.name == file) labels.push_back({std::string(label), GoToValidUtf8(r.text)});
    }
  }
  if (labels.empty()) return NotFound("dmi: no DMI information in " + dir);
  sink.Family("node_dmi_info", MetricType::kGauge,
              "A metric with a constant '1' value labeled by bios_date, bios_release, "
              "bios_vendor, bios_version, board_asset_tag, board_name, board_serial, "
              "board_vendor, board_version, chassis_asset_tag, chassis_serial, chassis_vendor, "
              "chassis_version, product_family, product_name, product_serial, product_sku, "
              "product_uuid, product_version, system_vendor if provided by DMI.");
  sink.Add("node_dmi_info", std::move(labels), 1);
  return Status::Ok();
}

}  // namespace tocsin::system
