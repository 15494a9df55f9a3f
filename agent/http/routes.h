// The daemon's HTTP routes: /metrics, /-/healthy, /-/ready, /-/reload (Prometheus's shapes;
// /-/reload only with enable_lifecycle, as Prometheus's --web.enable-lifecycle).
// Handlers only call the functions given here; they hold no state of their own.
#pragma once

#include <functional>

#include "agent/core/status.h"
#include "agent/http/exporter.h"
#include "agent/http/server.h"

namespace tocsin {

struct RouteHooks {
  Exporter* exporter = nullptr;
  std::function<bool()> ready;     // /-/ready answers 200 once this is true
  std::function<Status()> reload;  // POST /-/reload
  // Prometheus's --web.enable-lifecycle: without it POST/PUT /-/reload answer 403.
  bool enable_lifecycle = false;
};

void RegisterRoutes(HttpServer& server, RouteHooks hooks);

// Alertmanager's /api/v2/silences and /api/v2/silence/{id}; `handle` answers every method.
// A POST must say Content-Type: application/json (a DELETE that sends a Content-Type must
// say the same), else 415: a browser page cannot send those cross-origin without a CORS
// preflight, which this server never grants.
void RegisterSilencesApi(HttpServer& server, ServerHandler handle);

// True for "application/json" with any parameters (charset), case-insensitively.
bool IsJsonContentType(const std::string& content_type);

}  // namespace tocsin
