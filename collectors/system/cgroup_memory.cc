#include "collectors/system/cgroup_memory.h"

#include <algorithm>
#include <filesystem>
#include <set>
#include <system_error>
#include <utility>
#include <vector>

#include "collectors/system/meminfo.h"

namespace tocsin::system {
namespace {

namespace fs = std::filesystem;

// v1 reports "no limit" as PAGE_COUNTER_MAX pages (9223372036854771712 with 4 KiB pages);
// anything this large is not a real limit on any machine.
constexpr uint64_t kV1Unlimited = uint64_t{1} << 62;

struct Layout {
  bool v1 = false;
  std::string root;  // directory of the root cgroup of the memory controller
};

bool HasToken(std::string_view text, std::string_view token) {
  std::string_view field;
  std::string_view line;
  while (NextLine(text, line)) {
    while (NextField(line, field)) {
      if (field == token) return true;
    }
  }
  return false;
}

Result<Layout> DetectLayout(const CgroupMemoryOptions& options, ProcFile& file) {
  Layout l;
  std::string v1_root = JoinPath(options.sysfs, "fs/cgroup/memory");
  if (file.Read(JoinPath(v1_root, "memory.usage_in_bytes")).ok()) {
    l.v1 = true;
    l.root = v1_root;
    return l;
  }
  std::string v2_root = JoinPath(options.sysfs, "fs/cgroup");
  Result<std::string_view> controllers = file.Read(JoinPath(v2_root, "cgroup.controllers"));
  if (controllers.ok() && HasToken(*controllers, "memory")) {
    l.root = v2_root;
    return l;
  }
  return NotFound("no cgroup memory controller under " + v2_root);
}

// Reads a file holding one number; "max" (v2) yields nullopt with `unlimited` set.
Result<std::optional<uint64_t>> ReadNumber(ProcFile& file, const std::string& path) {
  Result<std::string_view> text = file.Read(path);
  if (!text.ok()) return text.status();
  std::string_view v = Trim(*text);
  while (!v.empty() && v.back() == '\n') v = Trim(v.substr(0, v.size() - 1));
  if (v == "max") return std::optional<uint64_t>();
  auto n = ParseUint64(v);
  if (!n) return InvalidArgument(path + ": not a number");
  return std::optional<uint64_t>(*n);
}

// The value of `key` in a memory.stat text; nullopt when absent.
Result<std::optional<uint64_t>> StatField(std::string_view text, std::string_view key,
                                          const std::string& path) {
  std::string_view line;
  while (NextLine(text, line)) {
    std::string_view rest = line;
    std::string_view k, v;
    if (!NextField(rest, k) || k != key) continue;
    std::optional<uint64_t> n;
    if (NextField(rest, v)) n = ParseUint64(v);
    if (!n) return InvalidArgument(path + ": bad " + std::string(key));
    return std::optional<uint64_t>(*n);
  }
  return std::optional<uint64_t>();
}

// Cgroup ids ("/a/b") below `root` down to `max_depth`, sorted.
void ListCgroups(const std::string& root, int max_depth, size_t max_count,
                 std::set<std::string>& ids) {
  std::vector<std::pair<std::string, int>> todo = {{"", 0}};
  while (!todo.empty() && ids.size() < max_count) {
    auto [rel, depth] = todo.back();
    todo.pop_back();
    if (depth >= max_depth) continue;
    std::error_code ec;
    fs::directory_iterator it(root + rel, ec);
    std::vector<std::string> children;
    for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
      std::error_code type_ec;
      if (!it->is_directory(type_ec) || it->is_symlink(type_ec)) continue;
      children.push_back(rel + "/" + it->path().filename().string());
    }
    std::sort(children.begin(), children.end());
    for (const std::string& c : children) {
      if (ids.size() >= max_count) break;
      ids.insert(c);
      todo.emplace_back(c, depth + 1);
    }
  }
}

}  // namespace

std::optional<std::string> OwnCgroupPath(std::string_view text, bool v1) {
  std::string_view line;
  while (NextLine(text, line)) {
    // "hierarchy-ID:controller-list:cgroup-path"; the path may itself contain ':'.
    size_t a = line.find(':');
    if (a == std::string_view::npos) continue;
    size_t b = line.find(':', a + 1);
    if (b == std::string_view::npos) continue;
    std::string_view id = line.substr(0, a);
    std::string_view controllers = line.substr(a + 1, b - a - 1);
    std::string_view path = Trim(line.substr(b + 1));
    if (path.empty() || path.front() != '/') continue;
    if (v1) {
      while (!controllers.empty()) {
        size_t comma = controllers.find(',');
        if (controllers.substr(0, comma) == "memory") return std::string(path);
        if (comma == std::string_view::npos) break;
        controllers.remove_prefix(comma + 1);
      }
    } else if (id == "0" && controllers.empty()) {
      return std::string(path);
    }
  }
  return std::nullopt;
}

Status ReadCgroupMemory(const CgroupMemoryOptions& options, ProcFile& file, SampleSink& sink) {
  Result<Layout> layout = DetectLayout(options, file);
  if (!layout.ok()) return layout.status();
  const bool v1 = layout->v1;

  std::set<std::string> ids = {"/"};
  ListCgroups(layout->root, std::max(0, options.max_depth),
              static_cast<size_t>(std::max(1, options.max_count)), ids);
  Result<std::string_view> self = file.Read(JoinPath(options.procfs, "self/cgroup"));
  if (self.ok()) {
    if (auto own = OwnCgroupPath(*self, v1)) ids.insert(*own);
  }

  sink.Family("container_memory_usage_bytes", MetricType::kGauge,
              "Current memory usage in bytes, including all memory regardless of when it was "
              "accessed");
  sink.Family("container_memory_working_set_bytes", MetricType::kGauge,
              "Current working set in bytes.");
  sink.Family("container_spec_memory_limit_bytes", MetricType::kGauge,
              "Memory limit for the container.");

  const std::string usage_file = v1 ? "memory.usage_in_bytes" : "memory.current";
  const std::string limit_file = v1 ? "memory.limit_in_bytes" : "memory.max";
  const std::string_view inactive_key = v1 ? "total_inactive_file" : "inactive_file";
  for (const std::string& id : ids) {
    const bool is_root = id == "/";
    const std::string dir = is_root ? layout->root : JoinPath(layout->root, id);

    std::optional<uint64_t> usage;
    std::optional<uint64_t> inactive;
    Result<std::optional<uint64_t>> u = ReadNumber(file, JoinPath(dir, usage_file));
    if (u.ok()) {
      if (!u->has_value()) return InvalidArgument(dir + ": " + usage_file + ": not a number");
      usage = **u;
    } else if (u.status().code() != StatusCode::kNotFound) {
      return u.status();
    } else if (is_root && !v1) {
      // The v2 root has no memory.current.
      Result<std::string_view> meminfo = file.Read(JoinPath(options.procfs, "meminfo"));
      if (!meminfo.ok()) return meminfo.status();
      auto total = MeminfoField(*meminfo, "MemTotal");
      auto free = MeminfoField(*meminfo, "MemFree");
      auto inactive_file = MeminfoField(*meminfo, "Inactive(file)");
      if (!total || !free || *free > *total) return InvalidArgument("meminfo: no MemTotal/MemFree");
      usage = static_cast<uint64_t>(*total - *free);
      if (inactive_file) inactive = static_cast<uint64_t>(*inactive_file);
    } else if (is_root) {
      return u.status();
    } else {
      continue;  // the cgroup went away while we listed it, or a controller-less v2 cgroup
    }

    std::optional<uint64_t> limit;
    if (!is_root || v1) {
      Result<std::optional<uint64_t>> l = ReadNumber(file, JoinPath(dir, limit_file));
      if (l.ok()) {
        limit = *l;
      } else if (l.status().code() != StatusCode::kNotFound) {
        return l.status();
      }
      if (limit && v1 && *limit >= kV1Unlimited) limit.reset();
    }

    Result<std::string_view> stat = file.Read(JoinPath(dir, "memory.stat"));
    if (stat.ok()) {
      Result<std::optional<uint64_t>> f = StatField(*stat, inactive_key, dir + "/memory.stat");
      if (!f.ok()) return f.status();
      if (f->has_value()) inactive = **f;
    }

    // cAdvisor: working set = usage - inactive file pages, floored at 0.
    uint64_t working_set = *usage;
    if (inactive) working_set = *inactive > *usage ? 0 : *usage - *inactive;

    sink.Add("container_memory_usage_bytes", {{"id", id}}, static_cast<double>(*usage));
    sink.Add("container_memory_working_set_bytes", {{"id", id}}, static_cast<double>(working_set));
    if (limit) {
      sink.Add("container_spec_memory_limit_bytes", {{"id", id}}, static_cast<double>(*limit));
    }
  }
  return Status::Ok();
}

}  // namespace tocsin::system
