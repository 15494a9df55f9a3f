// libFuzzer target for the HTTP API's request parameters: the real /api/v1/query,
// /api/v1/query_range and /api/v1/rules handlers, driven without a socket, on a request whose
// query string is the input's first line and whose form-urlencoded body is the rest (parsed by
// ServerRequest::Param, ParseApiTime, ParseApiDurationMs and the PromQL parser, then evaluated
// against an empty store; the rules handler runs when one of its parameters is given). Every
// request must get an answer (200, 400, 422 or 503) without a crash, sanitizer report or
// exception, and every answer must be JSON.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "agent/core/clock.h"
#include "agent/http/api_query.h"
#include "agent/http/api_rules.h"
#include "agent/http/api_time.h"
#include "agent/http/server.h"
#include "agent/promql/engine.h"
#include "agent/store/series_store.h"

namespace tocsin {
namespace {

rules::RulesSnapshot FixedSnapshot() {
  rules::RulesSnapshot s;
  rules::GroupSnapshot g;
  g.name = "node";
  g.file = "/etc/tocsin/rules/node.yml";
  rules::RuleSnapshot alert;
  alert.name = "HighLoad";
  alert.query = "node_load1 > 4";
  alert.annotations = {{"summary", "{{ $labels.instance }} load is {{ $value }}"}};
  rules::RuleSnapshot record;
  record.kind = rules::RuleSpec::Kind::kRecording;
  record.name = "job:up:sum";
  record.query = "sum by (job) (up)";
  g.rules = {alert, record};
  s.groups.push_back(g);
  return s;
}

struct Api {
  FakeClock clock{1'700'000'000'000};
  SeriesStore store{StoreOptions{}};
  promql::Engine engine;
  HttpServer server;
  // A short timeout, so that a fuzzed query as slow as `vector(1)[1000d:1ms]` ends (503).
  QueryGate gate{{.max_concurrent = 1, .max_waiting = 0, .timeout = std::chrono::seconds(1)}};

  Api() {
    RegisterQueryApi(server, {.engine = &engine, .data = &store, .clock = &clock, .gate = &gate});
    RegisterRulesApi(server, [] { return FixedSnapshot(); });
  }
};

void Check(const ServerResponse& r) {
  if (r.status != 200 && r.status != 400 && r.status != 422 && r.status != 503) __builtin_trap();
  if (!nlohmann::json::accept(r.body)) __builtin_trap();
}

}  // namespace
}  // namespace tocsin

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  static tocsin::Api* api = new tocsin::Api();
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t nl = in.find('\n');
  tocsin::ServerRequest req;
  req.method = "GET";
  req.query = std::string(in.substr(0, nl));
  if (nl != std::string_view::npos) {
    req.method = "POST";
    req.body = std::string(in.substr(nl + 1));
    req.headers["content-type"] = "application/x-www-form-urlencoded";
  }
  (void)tocsin::ParseApiTime(req.query);
  (void)tocsin::ParseApiDurationMs(req.query);
  for (const char* path : {"/api/v1/query", "/api/v1/query_range"}) {
    req.path = path;
    tocsin::Check((*api->server.HandlerFor(req.path))(req));
  }
  // The rules answer is mostly the fixed snapshot's JSON (two thirds of a run's time when it ran
  // every time); it runs when the request carries one of its parameters.
  for (const char* param : {"type", "exclude_alerts", "rule_name[]", "rule_group[]", "file[]"}) {
    if (req.Param(param).empty()) continue;
    req.path = "/api/v1/rules";
    tocsin::Check((*api->server.HandlerFor(req.path))(req));
    break;
  }
  return 0;
}
