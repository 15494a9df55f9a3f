#include "collectors/system/selinux.h"

#include <optional>

namespace tocsin::system {
namespace {

constexpr int kEnforcing = 1;
constexpr int kPermissive = 0;
constexpr int kDisabled = -1;

// The value of `key` in an /etc/selinux/config text, as go-selinux's readConfig: trimmed lines,
// ';' and '#' comments, "key=value" split at the first '=', surrounding '"' stripped.
std::string ConfigValue(std::string_view text, std::string_view key) {
  std::string_view line;
  while (NextLine(text, line)) {
    line = TrimSpace(line);
    if (line.empty() || line.front() == ';' || line.front() == '#') continue;
    size_t eq = line.find('=');
    if (eq == std::string_view::npos || line.substr(0, eq) != key) continue;
    std::string_view value = line.substr(eq + 1);
    while (!value.empty() && value.front() == '"') value.remove_prefix(1);
    while (!value.empty() && value.back() == '"') value.remove_suffix(1);
    return std::string(value);
  }
  return "";
}

}  // namespace

Status ReadSelinux(const SelinuxPaths& paths, ProcFile& file, SampleSink& sink) {
  sink.Family("node_selinux_enabled", MetricType::kGauge,
              "SELinux is enabled, 1 is true, 0 is false");
  std::string selinuxfs = JoinPath(paths.sysfs, "fs/selinux");
  Result<std::string_view> enforce = file.Read(JoinPath(selinuxfs, "enforce"));
  std::optional<int> current;
  bool mounted = enforce.ok();
  if (mounted) {
    std::optional<int64_t> v = ParseInt64(TrimSpace(*enforce));
    if (v) current = static_cast<int>(*v);
  }
  bool enabled = false;
  if (mounted) {
    Result<std::string_view> label = file.Read(JoinPath(paths.procfs, "thread-self/attr/current"));
    if (!label.ok()) label = file.Read(JoinPath(paths.procfs, "self/attr/current"));
    std::string_view con = label.ok() ? *label : std::string_view();
    if (con.ends_with('\0')) con.remove_suffix(1);
    enabled = con != "kernel";
  }
  if (!enabled) {
    sink.Add("node_selinux_enabled", 0);
    return Status::Ok();
  }
  sink.Add("node_selinux_enabled", 1);
  int config_mode = kDisabled;
  Result<std::string_view> config = file.Read(JoinPath(paths.rootfs, "etc/selinux/config"));
  if (config.ok()) {
    std::string mode = ConfigValue(*config, "SELINUX");
    if (mode == "enforcing") config_mode = kEnforcing;
    if (mode == "permissive") config_mode = kPermissive;
  }
  sink.Family("node_selinux_config_mode", MetricType::kGauge,
              "Configured SELinux enforcement mode");
  sink.Add("node_selinux_config_mode", config_mode);
  sink.Family("node_selinux_current_mode", MetricType::kGauge, "Current SELinux enforcement mode");
  sink.Add("node_selinux_current_mode", current.value_or(kDisabled));
  return Status::Ok();
}

}  // namespace tocsin::system
