#include "agent/http/api_status.h"

#include <sched.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <system_error>

#include "agent/core/duration.h"
#include "agent/core/json.h"
#include "agent/http/api_response.h"
#include "agent/http/api_rules.h"

namespace tocsin {
namespace {

void AppendField(std::string& out, std::string_view key, std::string_view value) {
  if (out.size() > 1) out += ',';
  AppendJsonString(out, key);
  out += ':';
  AppendJsonString(out, value);
}

void AppendRawField(std::string& out, std::string_view key, std::string_view raw) {
  if (out.size() > 1) out += ',';
  AppendJsonString(out, key);
  out += ':';
  out += raw;
}

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? "" : v;
}

int ThreadCount() {
  std::error_code ec;
  int n = 0;
  for (std::filesystem::directory_iterator it("/proc/self/task", ec), end; !ec && it != end;
       it.increment(ec)) {
    ++n;
  }
  return n;
}

int UsableCpus() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return CPU_COUNT(&set);
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? static_cast<int>(n) : 1;
}

std::string Cwd() {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::current_path(ec);
  return ec ? "<error retrieving current working directory>" : p.string();
}

std::string Hostname() {
  char buf[HOST_NAME_MAX + 1] = {};
  if (gethostname(buf, sizeof(buf) - 1) != 0) return "";
  return buf;
}

}  // namespace

std::string PrometheusCompatibleVersion(std::string_view tocsin_version) {
  return std::string(kPrometheusApiVersion) + "+tocsin." + std::string(tocsin_version);
}

std::string BuildInfoJson(const ApiBuildInfo& b) {
  std::string out = "{";
  AppendField(out, "version", PrometheusCompatibleVersion(b.tocsin_version));
  AppendField(out, "revision", b.revision);
  AppendField(out, "branch", b.branch);
  AppendField(out, "buildUser", b.build_user);
  AppendField(out, "buildDate", b.build_date);
  AppendField(out, "goVersion", b.compiler);
  out += '}';
  return out;
}

std::string RuntimeInfoJson(const StatusApiDeps& deps) {
  ReloadStatus reload;
  reload.last_success_ms = deps.start_time;
  if (deps.reload) reload = deps.reload();
  TimestampMs now = deps.clock->NowMs();
  // Prometheus keeps the last reload as Unix seconds.
  TimestampMs last_config = reload.last_success_ms / 1000 * 1000;
  std::string out = "{";
  AppendField(out, "startTime", ApiTimestamp(deps.start_time));
  AppendField(out, "CWD", Cwd());
  AppendField(out, "hostname", Hostname());
  AppendField(out, "serverTime", ApiTimestamp(now));
  AppendRawField(out, "reloadConfigSuccess", reload.last_successful ? "true" : "false");
  AppendField(out, "lastConfigTime", ApiTimestamp(last_config));
  AppendRawField(out, "corruptionCount", "0");
  AppendRawField(out, "goroutineCount", std::to_string(ThreadCount()));
  AppendRawField(out, "GOMAXPROCS", std::to_string(UsableCpus()));
  AppendRawField(out, "GOMEMLIMIT", std::to_string(INT64_MAX));
  AppendField(out, "GOGC", Env("GOGC"));
  AppendField(out, "GODEBUG", Env("GODEBUG"));
  AppendField(out, "storageRetention", FormatDuration(deps.retention));
  out += '}';
  return out;
}

std::string FlagsJson(const std::vector<std::pair<std::string, std::string>>& flags) {
  nlohmann::json m = nlohmann::json::object();  // a Go map: keys sorted
  for (const auto& [k, v] : flags) m[k] = v;
  return EncodeJson(m);
}

void RegisterStatusApi(HttpServer& server, StatusApiDeps deps) {
  server.Route("/api/v1/status/buildinfo", {"GET"}, [build = deps.build](const ServerRequest&) {
    return ApiSuccess(BuildInfoJson(build));
  });
  server.Route("/api/v1/status/runtimeinfo", {"GET"},
               [deps](const ServerRequest&) { return ApiSuccess(RuntimeInfoJson(deps)); });
  server.Route("/api/v1/status/flags", {"GET"},
               [flags = deps.flags](const ServerRequest&) { return ApiSuccess(FlagsJson(flags)); });
}

}  // namespace tocsin
