#include "agent/http/server.h"

#include <civetweb.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <mutex>

#include "agent/core/host_port.h"

namespace tocsin {
namespace {

std::once_flag g_civetweb_init;

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

void Send(mg_connection* conn, const ServerResponse& r) {
  std::string head = "HTTP/1.1 " + std::to_string(r.status) + " " +
                     mg_get_response_code_text(conn, r.status) + "\r\n";
  head += "Content-Type: " + r.content_type + "\r\n";
  head += "Content-Length: " + std::to_string(r.body.size()) + "\r\n";
  for (const auto& [k, v] : r.headers) head += k + ": " + v + "\r\n";
  head += "\r\n";
  mg_write(conn, head.data(), head.size());
  if (!r.body.empty()) mg_write(conn, r.body.data(), r.body.size());
}

}  // namespace

std::string ServerRequest::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

std::string ServerRequest::Param(const std::string& name) const {
  // Query first, then an urlencoded form body (Prometheus's API accepts both).
  for (const std::string* src : {&query, &body}) {
    if (src == &body &&
        Header("content-type").find("application/x-www-form-urlencoded") == std::string::npos) {
      continue;
    }
    std::string out(src->size() + 1, '\0');
    int n = mg_get_var(src->data(), src->size(), name.c_str(), out.data(), out.size());
    if (n >= 0) {
      out.resize(n);
      return out;
    }
  }
  return {};
}

HttpServer::HttpServer() = default;

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Route(const std::string& path, std::vector<std::string> methods,
                       ServerHandler handler) {
  routes_[path] = RouteEntry{std::move(methods), std::move(handler)};
}

void HttpServer::RoutePrefix(const std::string& prefix, std::vector<std::string> methods,
                             ServerHandler handler) {
  prefix_routes_[prefix] = RouteEntry{std::move(methods), std::move(handler)};
}

const HttpServer::RouteEntry* HttpServer::Find(const std::string& path) const {
  if (auto it = routes_.find(path); it != routes_.end()) return &it->second;
  const RouteEntry* best = nullptr;
  size_t best_len = 0;
  for (const auto& [prefix, entry] : prefix_routes_) {
    if (path.starts_with(prefix) && prefix.size() > best_len) {
      best = &entry;
      best_len = prefix.size();
    }
  }
  return best;
}

Status HttpServer::Start(const std::string& listen_address, int threads) {
  auto hp = ParseHostPort(listen_address);
  if (!hp.ok()) return hp.status();
  std::call_once(g_civetweb_init, [] { mg_init_library(0); });
  std::string ports = hp->host.find(':') != std::string::npos
                          ? "[" + hp->host + "]:" + std::to_string(hp->port)
                          : (hp->host.empty() ? "" : hp->host + ":") + std::to_string(hp->port);
  std::string threads_str = std::to_string(std::max(1, threads));
  const char* options[] = {"listening_ports",
                           ports.c_str(),
                           "num_threads",
                           threads_str.c_str(),
                           "request_timeout_ms",
                           "30000",
                           "enable_keep_alive",
                           "yes",
                           "tcp_nodelay",
                           "1",
                           nullptr};
  mg_callbacks callbacks{};
  callbacks.log_message = [](const mg_connection*, const char* message) {
    spdlog::warn("http: {}", message);
    return 1;
  };
  ctx_ = mg_start(&callbacks, nullptr, options);
  if (ctx_ == nullptr) {
    return Unavailable("cannot listen on " + listen_address + " (address in use or not local?)");
  }
  mg_set_request_handler(ctx_, "/", &HttpServer::Dispatch, this);
  mg_server_port sp[4];
  int n = mg_get_server_ports(ctx_, 4, sp);
  port_ = n > 0 ? sp[0].port : hp->port;
  return Status::Ok();
}

void HttpServer::Stop() {
  if (ctx_ != nullptr) {
    mg_stop(ctx_);
    ctx_ = nullptr;
  }
}

int HttpServer::Dispatch(mg_connection* conn, void* self) {
  return static_cast<HttpServer*>(self)->Handle(conn);
}

int HttpServer::Handle(mg_connection* conn) {
  const mg_request_info* info = mg_get_request_info(conn);
  ServerRequest req;
  req.method = info->request_method ? info->request_method : "";
  req.path = info->local_uri ? info->local_uri : "/";
  req.query = info->query_string ? info->query_string : "";
  for (int i = 0; i < info->num_headers; ++i) {
    req.headers[Lower(info->http_headers[i].name)] = info->http_headers[i].value;
  }
  const RouteEntry* found = Find(req.path);
  if (found == nullptr) {
    Send(conn, {404, "text/plain; charset=utf-8", "404 page not found\n", {}});
    return 404;
  }
  const RouteEntry& route = *found;
  if (std::find(route.methods.begin(), route.methods.end(), req.method) == route.methods.end()) {
    std::string allow;
    for (const auto& m : route.methods) allow += (allow.empty() ? "" : ", ") + m;
    Send(conn, {405, "text/plain; charset=utf-8", "method not allowed\n", {{"Allow", allow}}});
    return 405;
  }
  if (info->content_length > static_cast<long long>(kMaxRequestBody)) {
    Send(conn, {413, "text/plain; charset=utf-8", "request body too large\n", {}});
    return 413;
  }
  char buf[8192];
  while (req.body.size() <= kMaxRequestBody) {
    int n = mg_read(conn, buf, sizeof(buf));
    if (n <= 0) break;
    req.body.append(buf, n);
  }
  if (req.body.size() > kMaxRequestBody) {
    Send(conn, {413, "text/plain; charset=utf-8", "request body too large\n", {}});
    return 413;
  }
  ServerResponse resp = route.handler(req);
  Send(conn, resp);
  return resp.status;
}

}  // namespace tocsin
