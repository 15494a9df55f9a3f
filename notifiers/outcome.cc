#include "notifiers/outcome.h"

#include <cctype>
#include <ctime>
#include <string>

#include "agent/core/base64.h"

namespace tocsin {

std::optional<TimestampMs> ParseRetryAfter(std::string_view v, TimestampMs now) {
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.front()))) v.remove_prefix(1);
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) v.remove_suffix(1);
  if (v.empty()) return std::nullopt;
  bool all_digits = true;
  for (char c : v) all_digits = all_digits && std::isdigit(static_cast<unsigned char>(c));
  if (all_digits) {
    if (v.size() > 9) return now + int64_t{999999999} * 1000;
    return now + std::stoll(std::string(v)) * 1000;
  }
  std::string s(v);
  static const char* kFormats[] = {"%a, %d %b %Y %H:%M:%S GMT", "%A, %d-%b-%y %H:%M:%S GMT",
                                   "%a %b %d %H:%M:%S %Y"};
  for (const char* format : kFormats) {
    struct tm tm {};
    const char* end = strptime(s.c_str(), format, &tm);
    if (end != nullptr && *end == '\0') return static_cast<TimestampMs>(timegm(&tm)) * 1000;
  }
  return std::nullopt;
}

SendResult ClassifyHttpResponse(const HttpResponse& r, TimestampMs now) {
  SendResult result;
  result.http_status = r.status;
  if (r.status == 0) {
    result.outcome = SendResult::Outcome::kRetry;
    result.detail = r.timed_out ? "timeout: " + r.error : "network error: " + r.error;
    return result;
  }
  if (r.Ok2xx()) return result;
  std::string body = r.body.substr(0, 512);
  result.detail = "HTTP " + std::to_string(r.status) + (body.empty() ? "" : ": " + body);
  if (r.status == 429 || r.status >= 500) {
    result.outcome = SendResult::Outcome::kRetry;
    result.not_before = ParseRetryAfter(r.Header("retry-after"), now);
  } else {
    result.outcome = SendResult::Outcome::kDrop;
  }
  return result;
}

void ApplyHttpClientConfig(const HttpClientConfig& c, HttpRequest& req) {
  // As prometheus/common's round trippers: an Authorization the integration set itself (e.g.
  // Opsgenie's GenieKey) is kept.
  bool has_authorization = false;
  for (const auto& [name, value] : req.headers) has_authorization |= name == "Authorization";
  if (has_authorization) {
  } else if (!c.basic_auth_username.empty() || !c.basic_auth_password.empty()) {
    req.headers.push_back({"Authorization", "Basic " + Base64Encode(c.basic_auth_username + ":" +
                                                                    c.basic_auth_password.value)});
  } else if (!c.authorization_credentials.empty()) {
    req.headers.push_back(
        {"Authorization", c.authorization_type + " " + c.authorization_credentials.value});
  }
  req.verify_tls = !c.tls.insecure_skip_verify;
  req.ca_file = c.tls.ca_file;
  req.cert_file = c.tls.cert_file;
  req.key_file = c.tls.key_file;
  req.server_name = c.tls.server_name;
  req.tls_min_version = c.tls.min_version;
  req.proxy_url = c.proxy_url;
}

SendResult PostJson(HttpClient& http, const Clock& clock, const std::string& url, std::string body,
                    std::chrono::milliseconds timeout, const HttpClientConfig& http_config) {
  HttpRequest req;
  req.url = url;
  req.headers = {{"Content-Type", "application/json"}};
  ApplyHttpClientConfig(http_config, req);
  req.body = std::move(body);
  req.timeout = timeout;
  SendResult r = ClassifyHttpResponse(http.Do(req), clock.NowMs());
  if (r.outcome != SendResult::Outcome::kOk) r.detail += " (" + RedactUrl(url) + ")";
  return r;
}

}  // namespace tocsin
