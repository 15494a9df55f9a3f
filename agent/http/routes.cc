#include "agent/http/routes.h"

#include <algorithm>
#include <cctype>

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
  server.Route("/-/reload", {"POST", "PUT"},
               [reload = hooks.reload, enabled = hooks.enable_lifecycle](const ServerRequest&) {
                 if (!enabled) {
                   return ServerResponse{
                       403, "text/plain; charset=utf-8", "Lifecycle API is not enabled.\n", {}};
                 }
                 Status st = reload();
                 if (!st.ok()) {
                   return ServerResponse{500,
                                         "text/plain; charset=utf-8",
                                         "failed to reload config: " + st.message() + "\n",
                                         {}};
                 }
                 return ServerResponse{200, "text/plain; charset=utf-8", "", {}};
               });
}

bool IsJsonContentType(const std::string& content_type) {
  std::string media = content_type.substr(0, content_type.find(';'));
  while (!media.empty() && std::isspace(static_cast<unsigned char>(media.back()))) media.pop_back();
  size_t start = 0;
  while (start < media.size() && std::isspace(static_cast<unsigned char>(media[start]))) ++start;
  media = media.substr(start);
  std::transform(media.begin(), media.end(), media.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return media == "application/json";
}

void RegisterSilencesApi(HttpServer& server, ServerHandler handle) {
  auto guarded = [handle = std::move(handle)](const ServerRequest& r) {
    const std::string type = r.Header("content-type");
    const bool needs_json = r.method == "POST" || (r.method == "DELETE" && !type.empty());
    if (needs_json && !IsJsonContentType(type)) {
      return ServerResponse{415,
                            "application/json",
                            "{\"code\":415,\"message\":\"Content-Type must be application/json\"}",
                            {}};
    }
    return handle(r);
  };
  server.Route("/api/v2/silences", {"GET", "POST"}, guarded);
  server.RoutePrefix("/api/v2/silence/", {"GET", "DELETE"}, std::move(guarded));
}

}  // namespace tocsin
