// WebSecurityConfig: Prometheus exporter-toolkit's web-config.yml (web.config_file) as plain
// structs: TLS for the listener, basic-auth users, extra response headers.
//
// A leaf header (core only) so the HTTP server can read it. Filled by LoadWebConfigFile
// (web_config_file.h), which has already checked names, enums and combinations; the files it
// names (certificates, keys, CAs) are read by the HTTP server's TLS adapter. Plain values.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace tocsin {

enum class ClientAuthType {
  kNoClientCert,
  kRequestClientCert,
  kRequireAnyClientCert,
  kVerifyClientCertIfGiven,
  kRequireAndVerifyClientCert,
};

struct TlsServerConfig {
  bool enabled = false;   // any of the certificate/CA/client_auth keys is set (exporter-toolkit)
  std::string cert_file;  // resolved against the web config's directory
  std::string key_file;
  std::string cert;  // inline PEM (exporter-toolkit's `cert`)
  std::string key;   // inline PEM (`key`, a secret)
  std::string client_ca_file;
  std::string client_ca;  // inline PEM
  ClientAuthType client_auth = ClientAuthType::kNoClientCert;
  int min_version = 0x0303;  // TLS 1.2 as exporter-toolkit's default (wire version numbers)
  int max_version = 0x0304;  // TLS 1.3
  // OpenSSL names of the TLS <= 1.2 suites (mapped from Go's names); empty = OpenSSL's default.
  std::string cipher_list;
  bool prefer_server_cipher_suites = true;
  std::string groups;  // OpenSSL group list ("X25519:P-256"); empty = default
  std::vector<std::string> client_allowed_sans;  // empty = any verified client
  // "file:line:col: tls_server_config.cert_file" etc., so errors found while loading the files
  // are positioned like the file's other errors.
  std::string cert_at;
  std::string key_at;
  std::string client_ca_at;
  std::string section_at;  // "file: tls_server_config"
};

struct WebSecurityConfig {
  std::string source_file;  // the web config file; empty = none configured
  TlsServerConfig tls;
  std::vector<std::pair<std::string, std::string>> headers;  // http_server_config.headers
  bool http2 = true;  // accepted for compatibility; tocsin serves HTTP/1.1
  std::map<std::string, std::string> basic_auth_users;  // user -> bcrypt hash
};

}  // namespace tocsin
