#include "collectors/system/edac.h"

#include <optional>
#include <vector>

#include "collectors/system/proc_file.h"
#include "collectors/system/sysfs_file.h"

namespace tocsin::system {
namespace {

// The leading digits after `prefix` in the last path element, as edacMemControllerRE /
// edacMemCsrowRE capture them ([0-9]*, possibly empty).
std::string Number(const std::string& path, std::string_view prefix) {
  std::string_view base = path;
  base.remove_prefix(base.rfind('/') + 1);
  base.remove_prefix(prefix.size());
  size_t n = 0;
  while (n < base.size() && base[n] >= '0' && base[n] <= '9') ++n;
  return std::string(base.substr(0, n));
}

Result<uint64_t> ReadCount(const std::string& dir, std::string_view file) {
  const std::string path = JoinPath(dir, file);
  SysFileRead r = ReadWhole(path);
  if (!r.ok()) return r.ToStatus(path);
  std::optional<uint64_t> v = ParseUintFile(r.text);
  if (!v) return InvalidArgument("edac: bad value in " + path);
  return *v;
}

}  // namespace

Status ReadEdac(const std::string& sysfs, SampleSink& sink) {
  constexpr std::string_view kCe = "node_edac_correctable_errors_total";
  constexpr std::string_view kUe = "node_edac_uncorrectable_errors_total";
  constexpr std::string_view kRowCe = "node_edac_csrow_correctable_errors_total";
  constexpr std::string_view kRowUe = "node_edac_csrow_uncorrectable_errors_total";
  sink.Family(kCe, MetricType::kCounter, "Total correctable memory errors.");
  sink.Family(kUe, MetricType::kCounter, "Total uncorrectable memory errors.");
  sink.Family(kRowCe, MetricType::kCounter, "Total correctable memory errors for this csrow.");
  sink.Family(kRowUe, MetricType::kCounter, "Total uncorrectable memory errors for this csrow.");
  for (const std::string& mc : GlobDigitSuffix(JoinPath(sysfs, "devices/system/edac/mc"), "mc")) {
    const std::string controller = Number(mc, "mc");
    struct Item {
      std::string_view file, metric, csrow;
    };
    for (const Item& item :
         {Item{"ce_count", kCe, ""}, Item{"ce_noinfo_count", kRowCe, "unknown"},
          Item{"ue_count", kUe, ""}, Item{"ue_noinfo_count", kRowUe, "unknown"}}) {
      Result<uint64_t> v = ReadCount(mc, item.file);
      if (!v.ok()) return v.status();
      if (item.csrow.empty()) {
        sink.Add(item.metric, {{"controller", controller}}, static_cast<double>(*v));
      } else {
        sink.Add(item.metric, {{"controller", controller}, {"csrow", std::string(item.csrow)}},
                 static_cast<double>(*v));
      }
    }
    for (const std::string& row : GlobDigitSuffix(mc, "csrow")) {
      const std::string csrow = Number(row, "csrow");
      for (auto [file, metric] : {std::pair{"ce_count", kRowCe}, std::pair{"ue_count", kRowUe}}) {
        Result<uint64_t> v = ReadCount(row, file);
        if (!v.ok()) return v.status();
        sink.Add(metric, {{"controller", controller}, {"csrow", csrow}}, static_cast<double>(*v));
      }
    }
  }
  return Status::Ok();
}

}  // namespace tocsin::system
