// HttpClient: the injected outbound-HTTP seam (notifiers, scrape, probes), plus CurlHttpClient, its
// libcurl implementation (the only user of libcurl in tocsin).
//
// Do() never throws and never blocks longer than the request's timeout (connect included).
// A transport failure (refused, DNS, timeout, TLS) comes back as status 0 with `error` set.
// The optional request fields (body cap, gzip, TLS verification, timings, certificate expiry)
// default to the original behaviour, so notifier callers need not set them.
// CurlHttpClient is thread-safe: each call uses its own easy handle; curl_global_init runs once.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tocsin {

struct HttpRequest {
  std::string method = "POST";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{10000};
  // Bytes of (decoded) body kept; 0 = HttpClient::kMaxResponseBody. Beyond it the transfer is
  // aborted and the response is marked `truncated` (scrape bodies are often megabytes).
  size_t max_response_body = 0;
  bool accept_gzip = false;  // sends Accept-Encoding: gzip and decodes the body
  bool verify_tls = true;    // false = accept any peer certificate and host name
  std::string ca_file;       // extra CA bundle for verification; empty = system default
  std::string cert_file;     // client certificate (PEM) for TLS client authentication
  std::string key_file;      // its private key (PEM)
  // Name the server's certificate is checked against and sent as SNI, instead of the URL's
  // host (Prometheus's tls_config.server_name); the connection still goes to the URL's host.
  std::string server_name;
  bool collect_certificates = false;  // fill HttpResponse::earliest_cert_expiry (TLS only)
  std::string proxy_url;              // http(s) proxy; empty = libcurl's default
  std::string tls_min_version;        // "TLS10".."TLS13" (Prometheus's names); empty = default
  // Keep the connection open afterwards and take an idle one to the same endpoint if there is
  // (HTTP keep-alive across calls, from any thread). Off by default: probes measure connect and
  // TLS handshake times, which a reused connection does not have.
  bool reuse_connection = false;
};

// Cumulative phase times in seconds (libcurl's *_TIME_T), measured even when the request fails.
struct HttpTimings {
  double name_lookup = 0;     // DNS resolution done
  double connect = 0;         // TCP connected
  double app_connect = 0;     // TLS handshake done (0 for plain HTTP)
  double pre_transfer = 0;    // request about to be sent
  double start_transfer = 0;  // first response byte
  double total = 0;
};

struct HttpResponse {
  int status = 0;     // 0 = no HTTP response (see error / timed_out)
  std::string error;  // transport error text, without the URL
  bool timed_out = false;
  std::map<std::string, std::string> headers;  // names lower-cased; last value wins
  std::string body;                            // at most the request's max_response_body bytes
  bool truncated = false;                      // the body exceeded max_response_body
  HttpTimings timings;
  int new_connections = 0;      // connections this request opened (0: it reused an idle one)
  int64_t content_length = -1;  // Content-Length as sent; -1 = unknown
  std::optional<int64_t> earliest_cert_expiry;  // Unix seconds; when collect_certificates and TLS

  bool Ok2xx() const { return status >= 200 && status < 300; }
  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

class HttpClient {
 public:
  static constexpr size_t kMaxResponseBody = 64 * 1024;
  virtual ~HttpClient() = default;
  virtual HttpResponse Do(const HttpRequest& request) = 0;
};

class CurlHttpClient final : public HttpClient {
 public:
  CurlHttpClient();
  HttpResponse Do(const HttpRequest& request) override;
};

// Removes the secret parts of a URL for logs: keeps scheme://host[:port] and replaces the path
// and query with "/<redacted>" (Slack and webhook URLs carry their token in the path).
std::string RedactUrl(const std::string& url);

}  // namespace tocsin
