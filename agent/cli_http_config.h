// ConfiguredHttpClient: an HttpClient that applies `--http.config.file` (Prometheus's HTTP
// client configuration, config/http_client_config_file.h) to every request: basic auth or an
// Authorization header, the CA, the client certificate, server_name, insecure_skip_verify.
// Used by `tocsin query` and `tocsin silence`; as thread-safe as the wrapped client.
#pragma once

#include "agent/config/http_client_config_file.h"
#include "agent/http_client/http_client.h"

namespace tocsin {

class ConfiguredHttpClient final : public HttpClient {
 public:
  ConfiguredHttpClient(HttpClient& inner, HttpClientFileConfig config)
      : inner_(inner), config_(std::move(config)) {}
  HttpResponse Do(const HttpRequest& request) override;

 private:
  HttpClient& inner_;
  HttpClientFileConfig config_;
};

}  // namespace tocsin
