#include "agent/cli_http_config.h"

#include "agent/core/base64.h"

namespace tocsin {

HttpResponse ConfiguredHttpClient::Do(const HttpRequest& request) {
  HttpRequest r = request;
  if (!config_.username.empty() || !config_.password.empty()) {
    r.headers.emplace_back("Authorization",
                           "Basic " + Base64Encode(config_.username + ":" + config_.password));
  } else if (!config_.authorization_credentials.empty()) {
    r.headers.emplace_back("Authorization",
                           config_.authorization_type + " " + config_.authorization_credentials);
  }
  if (!config_.ca_file.empty()) r.ca_file = config_.ca_file;
  r.cert_file = config_.cert_file;
  r.key_file = config_.key_file;
  r.server_name = config_.server_name;
  if (config_.insecure_skip_verify) r.verify_tls = false;
  return inner_.Do(r);
}

}  // namespace tocsin
