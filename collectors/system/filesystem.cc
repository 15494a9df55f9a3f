#include "collectors/system/filesystem.h"

#include <set>
#include <tuple>
#include <utility>
#include <vector>

namespace tocsin::system {
namespace {

struct Mount {
  std::string device;
  std::string mountpoint;  // as labelled (rootfs prefix stripped)
  std::string fstype;
  bool readonly = false;
};

bool HasOption(std::string_view options, std::string_view want) {
  while (!options.empty()) {
    size_t comma = options.find(',');
    std::string_view opt = options.substr(0, comma);
    if (opt == want) return true;
    if (comma == std::string_view::npos) break;
    options.remove_prefix(comma + 1);
  }
  return false;
}

bool IsOctal(char c) { return c >= '0' && c <= '7'; }

}  // namespace

std::string UnescapeMountField(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && IsOctal(s[i + 1]) && IsOctal(s[i + 2]) &&
        IsOctal(s[i + 3])) {
      int v = (s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0');
      if (v > 0 && v < 256) {
        out += static_cast<char>(v);
        i += 3;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

FilesystemReader::FilesystemReader(FilesystemOptions options, Regex fs_types_exclude,
                                   Regex mount_points_exclude, std::shared_ptr<StatFs> statfs)
    : options_(std::move(options)),
      fs_types_exclude_(std::move(fs_types_exclude)),
      mount_points_exclude_(std::move(mount_points_exclude)),
      statfs_(std::move(statfs)) {}

Status FilesystemReader::Read(ProcFile& file, std::chrono::steady_clock::time_point deadline,
                              SampleSink& sink) {
  Result<std::string_view> text = file.Read(JoinPath(options_.procfs, "1/mounts"));
  if (!text.ok()) text = file.Read(JoinPath(options_.procfs, "self/mounts"));
  if (!text.ok()) return text.status();

  const bool strip_root = options_.rootfs != "/" && !options_.rootfs.empty();
  std::string root = JoinPath(options_.rootfs, "");
  std::vector<Mount> mounts;
  std::set<std::tuple<std::string, std::string, std::string>> seen;
  std::string_view rest = *text;
  std::string_view line;
  while (NextLine(rest, line)) {
    std::string_view l = line;
    std::string_view device, mountpoint, fstype, options;
    if (!NextField(l, device)) continue;  // blank line
    if (!NextField(l, mountpoint) || !NextField(l, fstype) || !NextField(l, options)) {
      return InvalidArgument("mounts: malformed line \"" + std::string(line.substr(0, 80)) + "\"");
    }
    Mount m;
    m.device = UnescapeMountField(device);
    m.mountpoint = UnescapeMountField(mountpoint);
    m.fstype = UnescapeMountField(fstype);
    m.readonly = HasOption(options, "ro");
    if (strip_root && m.mountpoint.starts_with(root)) {
      m.mountpoint.erase(0, root.size());
      if (m.mountpoint.empty() || m.mountpoint.front() != '/') m.mountpoint.insert(0, "/");
    }
    if (mount_points_exclude_.Matches(m.mountpoint)) continue;
    if (fs_types_exclude_.Matches(m.fstype)) continue;
    if (!seen.emplace(m.device, m.mountpoint, m.fstype).second) continue;
    mounts.push_back(std::move(m));
  }

  sink.Family("node_filesystem_size_bytes", MetricType::kGauge, "Filesystem size in bytes.");
  sink.Family("node_filesystem_free_bytes", MetricType::kGauge, "Filesystem free space in bytes.");
  sink.Family("node_filesystem_avail_bytes", MetricType::kGauge,
              "Filesystem space available to non-root users in bytes.");
  sink.Family("node_filesystem_files", MetricType::kGauge, "Filesystem total file nodes.");
  sink.Family("node_filesystem_files_free", MetricType::kGauge,
              "Filesystem total free file nodes.");
  sink.Family("node_filesystem_readonly", MetricType::kGauge, "Filesystem read-only status.");
  sink.Family("node_filesystem_device_error", MetricType::kGauge,
              "Whether an error occurred while getting statistics for the given device.");

  for (const Mount& m : mounts) {
    auto limit = std::chrono::steady_clock::now() + options_.mount_timeout;
    if (deadline != std::chrono::steady_clock::time_point{} && deadline < limit) limit = deadline;
    Result<FsStats> st = statfs_.Stat(JoinPath(options_.rootfs, m.mountpoint), limit);
    const Label device{"device", m.device};
    const Label fstype{"fstype", m.fstype};
    const Label mountpoint{"mountpoint", m.mountpoint};
    sink.Add("node_filesystem_device_error", {device, fstype, mountpoint}, st.ok() ? 0 : 1);
    sink.Add("node_filesystem_readonly", {device, fstype, mountpoint}, m.readonly ? 1 : 0);
    if (!st.ok()) continue;
    const double bs = static_cast<double>(st->block_size);
    sink.Add("node_filesystem_size_bytes", {device, fstype, mountpoint},
             static_cast<double>(st->blocks) * bs);
    sink.Add("node_filesystem_free_bytes", {device, fstype, mountpoint},
             static_cast<double>(st->blocks_free) * bs);
    sink.Add("node_filesystem_avail_bytes", {device, fstype, mountpoint},
             static_cast<double>(st->blocks_avail) * bs);
    sink.Add("node_filesystem_files", {device, fstype, mountpoint}, static_cast<double>(st->files));
    sink.Add("node_filesystem_files_free", {device, fstype, mountpoint},
             static_cast<double>(st->files_free));
  }
  return Status::Ok();
}

}  // namespace tocsin::system
