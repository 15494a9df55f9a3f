// LoadHttpClientConfigFile: the client side of web.config_file — Prometheus's HTTP client
// configuration (prometheus/common's HTTPClientConfig, as amtool's and promtool's
// --http.config.file read it) for `tocsin query` and `tocsin silence`.
//
// Supported keys: basic_auth (username, username_file, password, password_file),
// authorization (type, credentials, credentials_file), bearer_token, bearer_token_file,
// tls_config (ca_file, cert_file, key_file, server_name, insecure_skip_verify),
// follow_redirects and enable_http2 (accepted; tocsin's client never follows redirects and
// speaks HTTP/1.1). Others are errors, positioned `file:line:col: key: message`. Paths and
// *_file secrets resolve against the file's directory. Stateless; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "agent/core/status.h"

namespace tocsin {

struct HttpClientFileConfig {
  std::string username;
  std::string password;
  std::string authorization_type;         // "Bearer" unless set
  std::string authorization_credentials;  // empty = no Authorization header from it
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  std::string server_name;
  bool insecure_skip_verify = false;
};

Result<HttpClientFileConfig> LoadHttpClientConfigFile(const std::string& path);
Result<HttpClientFileConfig> LoadHttpClientConfigString(std::string_view text,
                                                        std::string_view source_name);

}  // namespace tocsin
