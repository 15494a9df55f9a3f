#include "agent/http/web_security.h"

namespace tocsin {

Result<std::function<void()>> WebSecurity::Prepare(const WebSecurityConfig& config) {
  std::shared_ptr<const TlsContext> tls_context;
  if (config.tls.enabled) {
    auto built = BuildTlsContext(config.tls);
    if (!built.ok()) return built.status();
    tls_context = std::move(built).value();
  }
  bool first;
  {
    std::lock_guard lock(mu_);
    first = !installed_;
    if (!first && config.tls.enabled != (tls_ != nullptr)) {
      return InvalidArgument(config.source_file + ": tls_server_config " +
                             (config.tls.enabled ? "added" : "removed") +
                             ": switching the listener between HTTP and HTTPS takes a restart");
    }
  }
  std::unique_ptr<TlsListener> listener;
  if (first && tls_context) {
    listener = std::make_unique<TlsListener>();
    TOCSIN_RETURN_IF_ERROR(listener->Init(tls_context));
  }
  auto snapshot = std::make_shared<Snapshot>();
  if (!config.basic_auth_users.empty()) {
    snapshot->auth = std::make_shared<BasicAuth>(config.basic_auth_users);
  }
  snapshot->headers = config.headers;
  // The swap cannot fail; it moves what was built above into place.
  auto shared_listener = std::make_shared<std::unique_ptr<TlsListener>>(std::move(listener));
  return std::function<void()>([this, snapshot, tls_context, shared_listener, first] {
    std::lock_guard lock(mu_);
    if (first) {
      tls_ = std::move(*shared_listener);
      installed_ = true;
    } else if (tls_ != nullptr && tls_context != nullptr) {
      tls_->Install(tls_context);
    }
    current_ = snapshot;
  });
}

std::shared_ptr<const WebSecurity::Snapshot> WebSecurity::Current() const {
  std::lock_guard lock(mu_);
  return current_;
}

FilterResult WebSecurity::Filter(const ServerRequest& request) const {
  std::shared_ptr<const Snapshot> s = Current();
  FilterResult result;
  result.headers = s->headers;
  if (s->auth != nullptr && !s->auth->Check(request.Header("authorization"))) {
    ServerResponse r{401, "text/plain; charset=utf-8", "Unauthorized\n", {}};
    r.headers.emplace_back("WWW-Authenticate", "Basic");
    result.answer = std::move(r);
  }
  return result;
}

}  // namespace tocsin
