// HTTP outcome classification shared by every HTTP notifier: 2xx done; 429, 5xx, network
// errors and timeouts retried (honouring Retry-After in seconds or as an HTTP-date); any other
// status dropped with the (truncated) response body as detail. Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "agent/core/clock.h"
#include "agent/http_client/http_client.h"
#include "notifiers/notifier.h"

namespace tocsin {

SendResult ClassifyHttpResponse(const HttpResponse& response, TimestampMs now);

// The integration's http_config on a request: the Authorization header (basic_auth, or
// authorization/bearer_token; unless the request already has one), TLS settings and proxy.
void ApplyHttpClientConfig(const HttpClientConfig& config, HttpRequest& request);

// POSTs a JSON body and classifies the answer; a failure's detail ends with the URL, its
// credentials and query redacted (Slack's and webhooks' URLs carry secrets).
SendResult PostJson(HttpClient& http, const Clock& clock, const std::string& url, std::string body,
                    std::chrono::milliseconds timeout, const HttpClientConfig& http_config = {});

// Retry-After: delta-seconds ("120") or an IMF-fixdate ("Wed, 21 Oct 2015 07:28:00 GMT"); also
// RFC 850 and asctime forms. Returns the absolute time, or nullopt when absent/unparsable.
std::optional<TimestampMs> ParseRetryAfter(std::string_view value, TimestampMs now);

}  // namespace tocsin
