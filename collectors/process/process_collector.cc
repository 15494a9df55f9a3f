#include "collectors/process/process_collector.h"

#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace tocsin {
namespace {

std::optional<double> ToDouble(std::string_view s) {
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

Result<std::string> ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(StatusCode::kNotFound, "cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// client_golang reports an unlimited rlimit as the largest rlim_t.
double RlimitValue(int resource) {
  rlimit rl{};
  if (::getrlimit(resource, &rl) != 0) return -1;
  return static_cast<double>(rl.rlim_cur);
}

class ProcessCollector final : public Collector {
 public:
  explicit ProcessCollector(std::string procfs) : procfs_(std::move(procfs)) {}
  std::string_view name() const override { return "process"; }

  Status Collect(const CollectContext&, Appender& out) override {
    auto self_stat = ReadAll(procfs_ + "/self/stat");
    if (!self_stat.ok()) return self_stat.status();
    auto proc_stat = ReadAll(procfs_ + "/stat");
    if (!proc_stat.ok()) return proc_stat.status();
    auto st = ParseProcessStat(*self_stat, *proc_stat, static_cast<double>(::sysconf(_SC_CLK_TCK)),
                               static_cast<double>(::sysconf(_SC_PAGESIZE)));
    if (!st.ok()) return st.status();
    std::error_code ec;
    double fds = 0;
    for (auto it = std::filesystem::directory_iterator(procfs_ + "/self/fd", ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
      ++fds;
    }
    if (ec) return Status(StatusCode::kNotFound, "cannot list " + procfs_ + "/self/fd");

    struct Family {
      const char* name;
      const char* family;  // as SetMetadata wants it (a counter without _total)
      MetricType type;
      const char* help;
      double value;
    };
    const Family families[] = {
        {"process_cpu_seconds_total", "process_cpu_seconds", MetricType::kCounter,
         "Total user and system CPU time spent in seconds.", st->cpu_seconds},
        {"process_open_fds", "process_open_fds", MetricType::kGauge,
         "Number of open file descriptors.", fds},
        {"process_max_fds", "process_max_fds", MetricType::kGauge,
         "Maximum number of open file descriptors.", RlimitValue(RLIMIT_NOFILE)},
        {"process_virtual_memory_bytes", "process_virtual_memory_bytes", MetricType::kGauge,
         "Virtual memory size in bytes.", st->virtual_bytes},
        {"process_virtual_memory_max_bytes", "process_virtual_memory_max_bytes", MetricType::kGauge,
         "Maximum amount of virtual memory available in bytes.", RlimitValue(RLIMIT_AS)},
        {"process_resident_memory_bytes", "process_resident_memory_bytes", MetricType::kGauge,
         "Resident memory size in bytes.", st->resident_bytes},
        {"process_start_time_seconds", "process_start_time_seconds", MetricType::kGauge,
         "Start time of the process since unix epoch in seconds.", st->start_time_seconds},
    };
    for (const Family& f : families) {
      out.SetMetadata(f.family, Metadata{f.type, f.help, ""});
      if (Status s = out.Add(Labels{{"__name__", f.name}}, f.value); !s.ok()) return s;
    }
    return Status::Ok();
  }

 private:
  std::string procfs_;
};

}  // namespace

Result<ProcessStat> ParseProcessStat(std::string_view self_stat, std::string_view proc_stat,
                                     double ticks_per_second, double page_size) {
  // The command name is in parentheses and may itself contain spaces and parentheses.
  const size_t close = self_stat.rfind(')');
  if (close == std::string_view::npos || close + 2 > self_stat.size()) {
    return InvalidArgument("self/stat: no command name");
  }
  std::vector<std::string_view> f;  // f[0] is field 3 (state)
  std::string_view rest = self_stat.substr(close + 2);
  while (!rest.empty()) {
    size_t sp = rest.find_first_of(" \n");
    f.push_back(rest.substr(0, sp));
    if (sp == std::string_view::npos) break;
    rest.remove_prefix(sp + 1);
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\n')) rest.remove_prefix(1);
  }
  auto field = [&](size_t n) -> std::optional<double> {
    return n - 3 < f.size() ? ToDouble(f[n - 3]) : std::nullopt;
  };
  auto utime = field(14), stime = field(15), start = field(22), vsize = field(23), rss = field(24);
  if (!utime || !stime || !start || !vsize || !rss || ticks_per_second <= 0) {
    return InvalidArgument("self/stat: malformed");
  }
  const size_t b = proc_stat.find("\nbtime ");
  if (b == std::string_view::npos) return InvalidArgument("stat: no btime");
  std::string_view btime_text = proc_stat.substr(b + 7);
  btime_text = btime_text.substr(0, btime_text.find('\n'));
  auto btime = ToDouble(btime_text);
  if (!btime) return InvalidArgument("stat: malformed btime");
  ProcessStat out;
  out.cpu_seconds = (*utime + *stime) / ticks_per_second;
  out.virtual_bytes = *vsize;
  out.resident_bytes = *rss * page_size;
  out.start_time_seconds = *btime + *start / ticks_per_second;
  return out;
}

std::unique_ptr<Collector> MakeProcessCollector(std::string procfs) {
  return std::make_unique<ProcessCollector>(std::move(procfs));
}

}  // namespace tocsin
