#include "agent/http/routes.h"

namespace tocsin {

void RegisterRoutes(HttpServer& server, RouteHooks hooks) {
  Exporter* exporter = hooks.exporter;
  server.SetObserver(
      [exporter](const std::string& handler, int code) { exporter->CountRequest(handler, code); });
  server.Route("/metrics", {"GET"}, [exporter](const ServerRequest&) {
    return ServerResponse{200, "text/plain; version=0.0.4; charset=utf-8", exporter->Render(), {}};
  });
  server.Route("/-/healthy", {"GET"}, [](const ServerRequest&) {
    return ServerResponse{200, "text/plain; charset=utf-8", "tocsin is Healthy.\n", {}};
  });
  server.Route("/-/ready", {"GET"}, [ready = hooks.ready](const ServerRequest&) {
    if (ready && !ready()) {
      return ServerResponse{503, "text/plain; charset=utf-8", "Service Unavailable\n", {}};
    }
    return ServerResponse{200, "text/plain; charset=utf-8", "tocsin is Ready.\n", {}};
  });
  server.Route("/-/reload", {"POST", "PUT"}, [reload = hooks.reload](const ServerRequest&) {
    Status st = reload();
    if (!st.ok()) {
      return ServerResponse{
          500, "text/plain; charset=utf-8", "failed to reload config: " + st.message() + "\n", {}};
    }
    return ServerResponse{200, "text/plain; charset=utf-8", "", {}};
  });
}

void RegisterSilencesApi(HttpServer& server, ServerHandler handle) {
  server.Route("/api/v2/silences", {"GET", "POST"}, handle);
  server.RoutePrefix("/api/v2/silence/", {"GET", "DELETE"}, std::move(handle));
}

}  // namespace tocsin
