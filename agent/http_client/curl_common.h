// Internal to tocsin_http_client: what the HTTP and SMTP clients share over libcurl — the
// one-time global initialisation and the TLS options of one easy handle. Not a public seam.
#pragma once

#include <curl/curl.h>

#include <string>

namespace tocsin::curl_internal {

// curl_global_init, once, from whichever thread asks first; false if it failed.
bool Initialised();

struct TlsOptions {
  bool verify = true;  // false = accept any peer certificate and host name
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  std::string min_version;  // "TLS10".."TLS13"; empty = libcurl's default
};
void ApplyTls(CURL* curl, const TlsOptions& tls);

// The process-wide connection, DNS and TLS-session cache for requests that reuse connections;
// null if libcurl could not make one (then every request connects anew).
CURLSH* SharedConnectionCache();

}  // namespace tocsin::curl_internal
