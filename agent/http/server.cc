#include "agent/http/server.h"

#include <civetweb.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <mutex>

#include "agent/core/host_port.h"
#include "agent/core/internal_errors.h"
#include "agent/core/utf8.h"
#include "agent/http/adopted_listener.h"

namespace tocsin {
namespace {

std::once_flag g_civetweb_init;

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// HEAD answers carry the GET answer's headers (Content-Length included) and no body.
void Send(mg_connection* conn, const ServerResponse& r, bool head_only = false) {
  std::string head = "HTTP/1.1 " + std::to_string(r.status) + " " +
                     mg_get_response_code_text(conn, r.status) + "\r\n";
  head += "Content-Type: " + r.content_type + "\r\n";
  head += "Content-Length: " + std::to_string(r.body.size()) + "\r\n";
  for (const auto& [k, v] : r.headers) head += k + ": " + v + "\r\n";
  head += "\r\n";
  mg_write(conn, head.data(), head.size());
  if (!head_only && !r.body.empty()) mg_write(conn, r.body.data(), r.body.size());
}

ServerResponse PlainText(int status, std::string body) {
  return {status, "text/plain; charset=utf-8", std::move(body), {}};
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

std::vector<std::string> ServerRequest::Params(const std::string& name) const {
  std::vector<std::string> out;
  auto decode = [](std::string_view s) {
    std::string d(s.size() + 1, '\0');
    int n = mg_url_decode(s.data(), static_cast<int>(s.size()), d.data(),
                          static_cast<int>(d.size()), /*is_form_url_encoded=*/1);
    d.resize(n < 0 ? 0 : static_cast<size_t>(n));
    return d;
  };
  auto scan = [&](std::string_view src) {
    while (!src.empty()) {
      size_t amp = src.find('&');
      std::string_view pair = src.substr(0, amp);
      src = amp == std::string_view::npos ? std::string_view() : src.substr(amp + 1);
      if (pair.empty()) continue;
      size_t eq = pair.find('=');
      if (decode(pair.substr(0, eq)) != name) continue;
      out.push_back(eq == std::string_view::npos ? std::string() : decode(pair.substr(eq + 1)));
    }
  };
  if (Header("content-type").find("application/x-www-form-urlencoded") != std::string::npos) {
    scan(body);
  }
  scan(query);
  return out;
}

HttpServer::HttpServer() = default;

HttpServer::~HttpServer() {
  Stop();
  if (adopted_fd_ >= 0) close(adopted_fd_);
}

void HttpServer::Route(const std::string& path, std::vector<std::string> methods,
                       ServerHandler handler) {
  routes_[path] = RouteEntry{std::move(methods), std::move(handler)};
}

void HttpServer::RoutePrefix(const std::string& prefix, std::vector<std::string> methods,
                             ServerHandler handler) {
  prefix_routes_[prefix] = RouteEntry{std::move(methods), std::move(handler)};
}

const HttpServer::RouteEntry* HttpServer::Find(const std::string& path, std::string* name) const {
  if (auto it = routes_.find(path); it != routes_.end()) {
    if (name != nullptr) *name = it->first;
    return &it->second;
  }
  const RouteEntry* best = nullptr;
  size_t best_len = 0;
  for (const auto& [prefix, entry] : prefix_routes_) {
    if (path.starts_with(prefix) && prefix.size() > best_len) {
      best = &entry;
      best_len = prefix.size();
      if (name != nullptr) *name = prefix;
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
  if (adopted_fd_ >= 0) {
    auto ephemeral = EphemeralListeningPort(adopted_fd_);
    if (!ephemeral.ok()) return ephemeral.status();
    ports = *ephemeral;
  }
  if (ssl_ctx_ != nullptr) ports += "s";  // civetweb's mark of an HTTPS port
  std::string threads_str = std::to_string(std::max(1, threads));
  // civetweb's bound on the request line plus headers (it answers 413 beyond it); the target
  // alone is held to kMaxRequestTarget (414) in Handle.
  std::string max_request_size = std::to_string(kMaxRequestTarget + kMaxRequestHeaders);
  const char* options[] = {"listening_ports",
                           ports.c_str(),
                           "num_threads",
                           threads_str.c_str(),
                           "request_timeout_ms",
                           "30000",
                           "max_request_size",
                           max_request_size.c_str(),
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
  if (ssl_ctx_ != nullptr) {
    // civetweb accepts with our SSL_CTX as it is and leaves freeing it to us.
    callbacks.external_ssl_ctx = [](void** ssl_ctx, void* self) {
      *ssl_ctx = static_cast<HttpServer*>(self)->ssl_ctx_;
      return 1;
    };
  }
  ctx_ = mg_start(&callbacks, this, options);
  if (ctx_ == nullptr) {
    return Unavailable("cannot listen on " + listen_address + " (address in use or not local?)");
  }
  mg_set_request_handler(ctx_, "/", &HttpServer::Dispatch, this);
  mg_server_port sp[4];
  int n = mg_get_server_ports(ctx_, 4, sp);
  port_ = n > 0 ? sp[0].port : hp->port;
  if (adopted_fd_ >= 0) {
    auto bound = BoundPort(adopted_fd_);
    Status st = bound.ok() ? AdoptInto(port_, adopted_fd_) : bound.status();
    if (!st.ok()) {
      Stop();
      return st;
    }
    adopted_fd_ = -1;
    port_ = *bound;
  }
  return Status::Ok();
}

void HttpServer::Stop() {
  if (ctx_ != nullptr) {
    mg_stop(ctx_);
    ctx_ = nullptr;
  }
}

int HttpServer::Dispatch(mg_connection* conn, void* self) {
  // The exception barrier: nothing may unwind through civetweb's C frames.
  auto* server = static_cast<HttpServer*>(self);
  bool sent = false;
  std::string handler = "other";
  int code = 500;
  try {
    code = server->Handle(conn, sent, handler);
  } catch (...) {
    std::string what = CurrentExceptionMessage();
    InternalErrors::Process().Record("http", what);
    if (!sent) {
      try {
        Send(conn, PlainText(500, "internal error: " + SanitizeUtf8(what) + "\n"));
      } catch (...) {
      }
    }
  }
  if (server->observer_) Guarded("http", [&] { server->observer_(handler, code); });
  return code;
}

int HttpServer::Handle(mg_connection* conn, bool& sent, std::string& handler) {
  const mg_request_info* info = mg_get_request_info(conn);
  ServerRequest req;
  req.method = info->request_method ? info->request_method : "";
  // HEAD is GET without the body, wherever GET is routed (as Go's net/http serves it).
  const bool head = req.method == "HEAD";
  auto respond = [&](const ServerResponse& r) {
    sent = true;
    Send(conn, r, head);
    return r.status;
  };
  req.path = info->local_uri ? info->local_uri : "/";
  req.query = info->query_string ? info->query_string : "";
  for (int i = 0; i < info->num_headers; ++i) {
    req.headers[Lower(info->http_headers[i].name)] = info->http_headers[i].value;
  }
  const RouteEntry* found = Find(req.path, &handler);  // names the route a 401 is counted for
  FilterResult filtered;
  if (filter_) filtered = filter_(req);
  auto respond_filtered = [&](ServerResponse r) {
    r.headers.insert(r.headers.end(), filtered.headers.begin(), filtered.headers.end());
    return respond(r);
  };
  if (filtered.answer) return respond_filtered(std::move(*filtered.answer));
  if (req.path.size() + req.query.size() > kMaxRequestTarget) {
    return respond_filtered(PlainText(414, "request URI too long\n"));
  }
  if (found == nullptr) return respond_filtered(PlainText(404, "404 page not found\n"));
  const RouteEntry& route = *found;
  auto allows = [&route](std::string_view m) {
    return std::find(route.methods.begin(), route.methods.end(), m) != route.methods.end();
  };
  if (head && allows("GET")) req.method = "GET";
  if (!allows(req.method)) {
    std::string allow;
    for (const auto& m : route.methods) allow += (allow.empty() ? "" : ", ") + m;
    if (allows("GET")) allow += ", HEAD";
    ServerResponse r = PlainText(405, "method not allowed\n");
    r.headers.emplace_back("Allow", allow);
    return respond_filtered(r);
  }
  if (info->content_length > static_cast<long long>(kMaxRequestBody)) {
    return respond_filtered(PlainText(413, "request body too large\n"));
  }
  char buf[8192];
  while (req.body.size() <= kMaxRequestBody) {
    int n = mg_read(conn, buf, sizeof(buf));
    if (n <= 0) break;
    req.body.append(buf, n);
  }
  if (req.body.size() > kMaxRequestBody) {
    return respond_filtered(PlainText(413, "request body too large\n"));
  }
  // A handler that throws is answered 500 by Dispatch (nothing was sent yet).
  return respond_filtered(route.handler(req));
}

}  // namespace tocsin
