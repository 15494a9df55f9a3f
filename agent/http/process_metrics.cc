#include "agent/http/process_metrics.h"

#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace tocsin {
namespace {

prometheus::MetricFamily Gauge(std::string name, std::string help, double v,
                               prometheus::MetricType type = prometheus::MetricType::Gauge) {
  prometheus::MetricFamily f;
  f.name = std::move(name);
  f.help = std::move(help);
  f.type = type;
  prometheus::ClientMetric m;
  if (type == prometheus::MetricType::Counter) {
    m.counter.value = v;
  } else {
    m.gauge.value = v;
  }
  f.metric.push_back(std::move(m));
  return f;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

std::vector<prometheus::MetricFamily> ProcessMetrics::Collect() const {
  std::vector<prometheus::MetricFamily> out;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  std::string stat = ReadAll(procfs_ + "/self/stat");
  // Fields after the command name, which is in parentheses and may contain spaces.
  auto close = stat.rfind(')');
  if (close != std::string::npos) {
    std::istringstream fields(stat.substr(close + 2));
    std::vector<std::string> f;
    for (std::string s; fields >> s;) f.push_back(s);
    // f[0] is field 3 (state); utime=14, stime=15, starttime=22, vsize=23, rss=24.
    auto field = [&](int n) {
      return n - 3 < static_cast<int>(f.size()) ? std::stod(f[n - 3]) : 0.0;
    };
    if (f.size() > 21) {
      out.push_back(Gauge("process_cpu_seconds_total",
                          "Total user and system CPU time spent in seconds.",
                          (field(14) + field(15)) / ticks, prometheus::MetricType::Counter));
      out.push_back(
          Gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", field(23)));
      out.push_back(Gauge("process_resident_memory_bytes", "Resident memory size in bytes.",
                          field(24) * page));
      std::string proc_stat = ReadAll(procfs_ + "/stat");
      auto pos = proc_stat.find("\nbtime ");
      if (pos != std::string::npos) {
        double btime = std::stod(proc_stat.substr(pos + 7));
        out.push_back(Gauge("process_start_time_seconds",
                            "Start time of the process since unix epoch in seconds.",
                            btime + field(22) / ticks));
      }
    }
  }
  std::error_code ec;
  size_t fds = 0;
  for (auto it = std::filesystem::directory_iterator(procfs_ + "/self/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    ++fds;
  }
  if (!ec) out.push_back(Gauge("process_open_fds", "Number of open file descriptors.", fds));
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
    out.push_back(Gauge("process_max_fds", "Maximum number of open file descriptors.",
                        static_cast<double>(rl.rlim_cur)));
  }
  return out;
}

}  // namespace tocsin
