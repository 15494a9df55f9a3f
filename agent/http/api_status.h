// The Prometheus HTTP API's status endpoints (GET only, as Prometheus registers them):
//   /api/v1/status/buildinfo    {version, revision, branch, buildUser, buildDate, goVersion}
//   /api/v1/status/runtimeinfo  {startTime, CWD, hostname, serverTime, reloadConfigSuccess,
//                                lastConfigTime, corruptionCount, goroutineCount, GOMAXPROCS,
//                                GOMEMLIMIT, GOGC, GODEBUG, storageRetention}
//   /api/v1/status/flags        {"<flag>":"<value>"} for the daemon's command-line flags
//
// `version` is the Prometheus version whose read API tocsin implements (Grafana picks
// features by it), with tocsin's own version as SemVer build metadata:
// "3.0.0+tocsin.<version>" (see PrometheusCompatibleVersion). The Go-runtime fields carry the
// nearest process facts: goroutineCount = OS threads, GOMAXPROCS = CPUs this process may run
// on, GOMEMLIMIT = Go's "no limit" (math.MaxInt64), GOGC/GODEBUG = those environment variables
// (as Prometheus reads them), goVersion = the C++ compiler, corruptionCount = 0 (no WAL).
//
// Handlers hold copies of the deps and call the borrowed functions; thread-safe as those are.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/core/clock.h"
#include "agent/http/server.h"
#include "agent/runtime/reload_status.h"

namespace tocsin {

// The Prometheus release whose HTTP read API this agent serves.
inline constexpr std::string_view kPrometheusApiVersion = "3.0.0";

// "3.0.0+tocsin.0.1.0" for tocsin 0.1.0 (SemVer build metadata: compares equal to 3.0.0).
std::string PrometheusCompatibleVersion(std::string_view tocsin_version);

struct ApiBuildInfo {
  std::string tocsin_version;  // e.g. "0.1.0"
  std::string revision;
  std::string branch;
  std::string build_user;
  std::string build_date;  // Prometheus's form: 20060102-15:04:05
  std::string compiler;    // reported as goVersion
};

struct StatusApiDeps {
  ApiBuildInfo build;
  const Clock* clock = nullptr;
  TimestampMs start_time = 0;
  std::function<ReloadStatus()> reload;  // null: reloadConfigSuccess true, lastConfigTime start
  std::chrono::milliseconds retention{0};
  std::vector<std::pair<std::string, std::string>> flags;
};

void RegisterStatusApi(HttpServer& server, StatusApiDeps deps);

// The JSON "data" values, exposed for tests.
std::string BuildInfoJson(const ApiBuildInfo& build);
std::string RuntimeInfoJson(const StatusApiDeps& deps);
std::string FlagsJson(const std::vector<std::pair<std::string, std::string>>& flags);

}  // namespace tocsin
