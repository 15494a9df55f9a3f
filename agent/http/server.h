// HttpServer: the embedded HTTP server (civetweb behind this one adapter).
//
// Routes are exact paths registered before Start; each request runs its handler on one of
// civetweb's worker threads, so handlers must be thread-safe. Bodies larger than
// kMaxRequestBody are refused with 413 and request targets (path + query) longer than
// kMaxRequestTarget with 414, before the handler runs. HEAD is answered wherever GET is routed,
// with the GET answer's headers and no body. A handler that throws answers 500 with the
// exception's message (counted as an internal error of "http"); nothing unwinds through
// civetweb. A filter (SetFilter: authentication, security headers) runs before routing; with
// SetTls the port speaks HTTPS only. The server stops in its destructor, after in-flight requests
// finish.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "agent/core/status.h"

struct mg_context;
struct mg_connection;

namespace tocsin {

struct ServerRequest {
  std::string method;
  std::string path;
  std::string query;  // raw query string, without '?'
  std::string body;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string Header(const std::string& lower_name) const;
  // Decoded value of a query or form parameter ("" when absent).
  std::string Param(const std::string& name) const;
  // Every decoded value of a repeated parameter (`match[]`), form body values first and then
  // the query's, as Go's Request.Form lists them; empty when absent.
  std::vector<std::string> Params(const std::string& name) const;
  // True when the parameter is present at all (even with an empty value).
  bool HasParam(const std::string& name) const { return !Params(name).empty(); }
};

struct ServerResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

using ServerHandler = std::function<ServerResponse(const ServerRequest&)>;

// What a request filter (authentication) decides before any route runs: an answer given in the
// route's place (401), and headers added to every answer (the configured security headers).
struct FilterResult {
  std::optional<ServerResponse> answer;
  std::vector<std::pair<std::string, std::string>> headers;
};
using RequestFilter = std::function<FilterResult(const ServerRequest&)>;

class HttpServer {
 public:
  static constexpr size_t kMaxRequestBody = 1 << 20;
  static constexpr size_t kMaxRequestTarget = 64 << 10;
  static constexpr size_t kMaxRequestHeaders = 64 << 10;

  HttpServer();
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // `methods` lists what the route accepts ("GET", "POST", ...); others get 405.
  void Route(const std::string& path, std::vector<std::string> methods, ServerHandler handler);
  // Every path that starts with `prefix` and has no exact route (e.g. "/api/v2/silence/" for
  // paths carrying an id). The longest matching prefix wins.
  void RoutePrefix(const std::string& prefix, std::vector<std::string> methods,
                   ServerHandler handler);

  // Called after every answer with the route that took it (its path or prefix; "other" when
  // none matched) and the status code, e.g. for tocsin_http_requests_total. Set before Start.
  void SetObserver(std::function<void(const std::string& handler, int code)> observer) {
    observer_ = std::move(observer);
  }

  // Runs before routing on every request (its headers already parsed, its body not yet read).
  // Set before Start.
  void SetFilter(RequestFilter filter) { filter_ = std::move(filter); }
  // Serve HTTPS: `ssl_ctx` is the OpenSSL SSL_CTX* to accept with (TlsListener::ssl_ctx()),
  // owned by the caller and outliving the server. Plain HTTP on the port fails the handshake.
  // Set before Start.
  void SetTls(void* ssl_ctx) { ssl_ctx_ = ssl_ctx; }

  // The handler a request for `path` runs, or null: for driving the real handlers without a
  // socket (the fuzz targets).
  const ServerHandler* HandlerFor(const std::string& path) const {
    const RouteEntry* e = Find(path);
    return e == nullptr ? nullptr : &e->handler;
  }

  // Listens on "host:port" ("[::1]:9469" for IPv6; port 0 picks a free one).
  Status Start(const std::string& listen_address, int threads);
  // Socket activation: Start then serves on `fd`, a listening TCP socket systemd passed in,
  // instead of binding listen_address (adopted_listener.h says how). Takes ownership; call
  // before Start.
  void AdoptListener(int fd) { adopted_fd_ = fd; }
  void Stop();
  int port() const { return port_; }

 private:
  struct RouteEntry {
    std::vector<std::string> methods;
    ServerHandler handler;
  };
  static int Dispatch(mg_connection* conn, void* self);
  // Sets `sent` once a response has been written (so the barrier does not write a second).
  int Handle(mg_connection* conn, bool& sent, std::string& handler);

  // The matching route and its name (path or prefix), or null.
  const RouteEntry* Find(const std::string& path, std::string* name = nullptr) const;

  std::map<std::string, RouteEntry> routes_;
  std::map<std::string, RouteEntry> prefix_routes_;
  std::function<void(const std::string&, int)> observer_;
  RequestFilter filter_;
  void* ssl_ctx_ = nullptr;
  mg_context* ctx_ = nullptr;
  int port_ = 0;
  int adopted_fd_ = -1;  // owned until Start hands it to civetweb
};

}  // namespace tocsin
