// The daemon's HTTP routes: /metrics, /-/healthy, /-/ready, /-/reload (Prometheus's shapes).
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
};

void RegisterRoutes(HttpServer& server, RouteHooks hooks);

// Alertmanager's /api/v2/silences and /api/v2/silence/{id}; `handle` answers every method.
void RegisterSilencesApi(HttpServer& server, ServerHandler handle);

}  // namespace tocsin
