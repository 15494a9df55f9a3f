// prometheus/common's HTTPClientConfig (`http_config` of Alertmanager's global block and of each
// integration), as Alertmanager 0.25 reads it: inline secrets are allowed there (they are in
// real alertmanager.yml files), each also as a *_file.
#include "agent/config/am_schema.h"

namespace tocsin {
namespace {

Status MustBeTlsVersion(const std::string& v) {
  if (v == "TLS10" || v == "TLS11" || v == "TLS12" || v == "TLS13") return Status::Ok();
  return InvalidArgument("unknown TLS version: " + v);
}

}  // namespace

void BindTlsConfig(MapReader& s, TlsClientConfig& c) {
  s.Path("ca_file", &c.ca_file);
  s.Path("cert_file", &c.cert_file);
  s.Path("key_file", &c.key_file);
  s.String("server_name", &c.server_name);
  s.Bool("insecure_skip_verify", &c.insecure_skip_verify);
  s.String("min_version", &c.min_version, MustBeTlsVersion);
  if (c.cert_file.empty() != c.key_file.empty()) {
    s.ErrorAtKey(c.cert_file.empty() ? "key_file" : "cert_file",
                 "exactly one of key and cert file specified");
  }
}

void BindHttpClientConfig(MapReader& r, HttpClientConfig& c) {
  int auth_methods = 0;
  if (r.Section("basic_auth", [&](MapReader& s) {
        s.String("username", &c.basic_auth_username);
        BindSecret(s, "password", "password_file", &c.basic_auth_password);
        RejectUnimplemented(s, {"username_file"});
      })) {
    ++auth_methods;
  }
  if (r.Section("authorization", [&](MapReader& s) {
        c.authorization_type = "Bearer";
        s.String("type", &c.authorization_type);
        if (c.authorization_type == "Basic" || c.authorization_type == "basic") {
          s.ErrorAtKey("type",
                       "authorization type cannot be set to \"basic\", use \"basic_auth\" "
                       "instead");
        }
        BindSecret(s, "credentials", "credentials_file", &c.authorization_credentials);
      })) {
    ++auth_methods;
  }
  SecretString bearer;
  if (BindSecret(r, "bearer_token", "bearer_token_file", &bearer)) {
    ++auth_methods;
    c.authorization_type = "Bearer";
    c.authorization_credentials = bearer;
  }
  if (auth_methods > 1) {
    r.ErrorAtKey("",
                 "at most one of basic_auth, oauth2, bearer_token & bearer_token_file must "
                 "be configured");
  }
  RejectUnimplemented(r, {"oauth2"});
  r.Section("tls_config", [&](MapReader& s) { BindTlsConfig(s, c.tls); });
  r.String("proxy_url", &c.proxy_url, MustBeHttpUrl);
  r.Bool("follow_redirects", &c.follow_redirects);
  r.Bool("enable_http2", &c.enable_http2);
}

}  // namespace tocsin
