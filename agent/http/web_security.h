// WebSecurity: what web.config_file asks of the listener — TLS (through TlsListener), basic
// authentication (BasicAuth) and extra response headers — kept current across reloads.
//
// Prepare() checks a configuration completely (certificates and keys loaded) and returns the
// swap that installs it, so a bad file keeps the running one (DaemonHooks' all-or-nothing
// reload). Whether the listener speaks TLS at all is decided by the first configuration
// installed (at start); a later one that adds or removes tls_server_config is refused until a
// restart. Filter() runs before every route (HttpServer::SetFilter). Thread-safe: Filter runs
// on civetweb's workers while a reload swaps.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "agent/config/web_security_config.h"
#include "agent/core/status.h"
#include "agent/http/basic_auth.h"
#include "agent/http/server.h"
#include "agent/http/tls_listener.h"

namespace tocsin {

class WebSecurity {
 public:
  Result<std::function<void()>> Prepare(const WebSecurityConfig& config);

  // After the first swap: true when the listener must speak TLS; then tls() is its context.
  bool tls_enabled() const { return tls_ != nullptr; }
  TlsListener* tls() const { return tls_.get(); }

  // 401 with WWW-Authenticate: Basic when users are configured and the request does not carry
  // one of them; the configured headers for every answer.
  FilterResult Filter(const ServerRequest& request) const;

 private:
  struct Snapshot {
    std::shared_ptr<BasicAuth> auth;  // null = no authentication
    std::vector<std::pair<std::string, std::string>> headers;
  };
  std::shared_ptr<const Snapshot> Current() const;

  mutable std::mutex mu_;
  std::shared_ptr<const Snapshot> current_ = std::make_shared<Snapshot>();
  bool installed_ = false;  // the first configuration decided tls_
  std::unique_ptr<TlsListener> tls_;
};

}  // namespace tocsin
