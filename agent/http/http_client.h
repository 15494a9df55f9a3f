// HttpClient: the injected outbound-HTTP seam (notifiers, scrape, probes), plus CurlHttpClient, its libcurl
// implementation (the only user of libcurl in tocsin).
//
// Post() never throws and never blocks longer than the request's timeout (connect included).
// A transport failure (refused, DNS, timeout, TLS) comes back as status 0 with `error` set.
// CurlHttpClient is thread-safe: each call uses its own easy handle; curl_global_init runs once.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace tocsin {

struct HttpRequest {
  std::string method = "POST";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{10000};
};

struct HttpResponse {
  int status = 0;     // 0 = no HTTP response (see error / timed_out)
  std::string error;  // transport error text, without the URL
  bool timed_out = false;
  std::map<std::string, std::string> headers;  // names lower-cased; last value wins
  std::string body;                            // truncated to kMaxResponseBody bytes

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
