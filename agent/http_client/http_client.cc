#include "agent/http_client/http_client.h"

// Calls go through the table bound at run time (below), so curl.h's type-checking macros,
// which call the linked functions directly, are off.
#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <ctime>

#include "agent/core/shared_library.h"

namespace tocsin {
namespace {

// libcurl, bound from libcurl.so.4 on the first request rather than linked: the agent maps
// libcurl and its TLS/SSH/LDAP/Kerberos dependencies only once something sends HTTP.
// clang-format off
#define TOCSIN_LIBCURL_FUNCTIONS(X) \
  X(curl_easy_cleanup) \
  X(curl_easy_getinfo) \
  X(curl_easy_init) \
  X(curl_easy_perform) \
  X(curl_easy_setopt) \
  X(curl_easy_strerror) \
  X(curl_global_init) \
  X(curl_slist_append) \
  X(curl_slist_free_all)
// clang-format on

struct LibcurlApi {
#define TOCSIN_LIBCURL_MEMBER(name) decltype(&::name) name = nullptr;
  TOCSIN_LIBCURL_FUNCTIONS(TOCSIN_LIBCURL_MEMBER)
#undef TOCSIN_LIBCURL_MEMBER
};

// Loads and initialises libcurl once per process; every call returns the same table or error.
Result<const LibcurlApi*> Libcurl() {
  return LoadApiOnce<LibcurlApi>("libcurl.so.4",
                                 [](const SharedLibrary& lib, LibcurlApi& a) -> Status {
#define TOCSIN_LIBCURL_BIND(name) TOCSIN_RETURN_IF_ERROR(lib.Bind(#name, a.name));
                                   TOCSIN_LIBCURL_FUNCTIONS(TOCSIN_LIBCURL_BIND)
#undef TOCSIN_LIBCURL_BIND
                                   if (a.curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
                                     return Internal("libcurl: curl_global_init failed");
                                   }
                                   return Status::Ok();
                                 });
}

// Only called after Do() found Libcurl() ok.
const LibcurlApi& Curl() { return *Libcurl().value(); }

struct BodySink {
  std::string* out;
  size_t cap;
  bool abort_over_cap;  // an explicit cap aborts the transfer; the default one only truncates
  bool truncated = false;
};

size_t WriteBody(char* data, size_t size, size_t nmemb, void* user) {
  auto* sink = static_cast<BodySink*>(user);
  size_t n = size * nmemb;
  std::string& out = *sink->out;
  if (out.size() + n > sink->cap) {
    sink->truncated = true;
    out.append(data, sink->cap - std::min(sink->cap, out.size()));
    return sink->abort_over_cap ? 0 : n;  // 0 makes libcurl stop with CURLE_WRITE_ERROR
  }
  out.append(data, n);
  return n;
}

double Seconds(CURL* curl, CURLINFO info) {
  curl_off_t us = 0;
  if (Curl().curl_easy_getinfo(curl, info, &us) != CURLE_OK) return 0;
  return static_cast<double>(us) / 1e6;
}

// "Expire date: Jan  1 00:00:00 2030 GMT" (OpenSSL's ASN1_TIME_print) -> Unix seconds.
std::optional<int64_t> EarliestExpiry(CURL* curl) {
  struct curl_certinfo* info = nullptr;
  if (Curl().curl_easy_getinfo(curl, CURLINFO_CERTINFO, &info) != CURLE_OK || info == nullptr) {
    return std::nullopt;
  }
  std::optional<int64_t> earliest;
  for (int i = 0; i < info->num_of_certs; ++i) {
    for (struct curl_slist* s = info->certinfo[i]; s != nullptr; s = s->next) {
      static constexpr char kKey[] = "Expire date:";
      if (std::strncmp(s->data, kKey, sizeof(kKey) - 1) != 0) continue;
      struct tm tm {};
      const char* rest = s->data + sizeof(kKey) - 1;
      while (*rest == ' ') ++rest;
      if (strptime(rest, "%b %d %H:%M:%S %Y", &tm) == nullptr) continue;
      int64_t t = static_cast<int64_t>(timegm(&tm));
      if (!earliest || t < *earliest) earliest = t;
    }
  }
  return earliest;
}

size_t WriteHeader(char* data, size_t size, size_t nmemb, void* user) {
  auto* headers = static_cast<std::map<std::string, std::string>*>(user);
  size_t n = size * nmemb;
  std::string line(data, n);
  size_t colon = line.find(':');
  if (colon == std::string::npos) {
    if (line.starts_with("HTTP/")) headers->clear();  // a new response (after 100-continue)
    return n;
  }
  std::string name = line.substr(0, colon);
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string value = line.substr(colon + 1);
  auto not_space = [](unsigned char c) { return !std::isspace(c); };
  value.erase(value.begin(), std::find_if(value.begin(), value.end(), not_space));
  value.erase(std::find_if(value.rbegin(), value.rend(), not_space).base(), value.end());
  (*headers)[name] = value;
  return n;
}

}  // namespace

CurlHttpClient::CurlHttpClient() = default;

HttpResponse CurlHttpClient::Do(const HttpRequest& request) {
  HttpResponse response;
  if (Result<const LibcurlApi*> api = Libcurl(); !api.ok()) {
    response.error = api.status().message();
    return response;
  }
  CURL* curl = Curl().curl_easy_init();
  if (curl == nullptr) {
    response.error = "curl_easy_init failed";
    return response;
  }
  struct curl_slist* headers = nullptr;
  for (const auto& [name, value] : request.headers) {
    headers = Curl().curl_slist_append(headers, (name + ": " + value).c_str());
  }
  headers = Curl().curl_slist_append(headers, "Expect:");  // no 100-continue round trip
  long timeout_ms = std::max<long>(1, static_cast<long>(request.timeout.count()));
  Curl().curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  Curl().curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  Curl().curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
  Curl().curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  Curl().curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  Curl().curl_easy_setopt(curl, CURLOPT_USERAGENT, "tocsin");
  Curl().curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  Curl().curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  if (request.method == "POST") {
    Curl().curl_easy_setopt(curl, CURLOPT_POST, 1L);
    Curl().curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    Curl().curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                            static_cast<curl_off_t>(request.body.size()));
  } else if (request.method == "HEAD") {
    Curl().curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);  // else curl waits for Content-Length bytes
  } else if (request.method != "GET") {
    Curl().curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    if (!request.body.empty()) {
      Curl().curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
      Curl().curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                              static_cast<curl_off_t>(request.body.size()));
    }
  }
  if (request.accept_gzip) Curl().curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "gzip");
  if (!request.verify_tls) {
    Curl().curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
    Curl().curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (!request.ca_file.empty())
    Curl().curl_easy_setopt(curl, CURLOPT_CAINFO, request.ca_file.c_str());
  if (request.collect_certificates) Curl().curl_easy_setopt(curl, CURLOPT_CERTINFO, 1L);
  if (!request.client_cert_file.empty()) {
    Curl().curl_easy_setopt(curl, CURLOPT_SSLCERT, request.client_cert_file.c_str());
    Curl().curl_easy_setopt(curl, CURLOPT_SSLKEY, request.client_key_file.c_str());
  }
  if (!request.proxy_url.empty()) {
    Curl().curl_easy_setopt(curl, CURLOPT_PROXY, request.proxy_url.c_str());
  }
  BodySink sink{
      &response.body,
      request.max_response_body > 0 ? request.max_response_body : HttpClient::kMaxResponseBody,
      request.max_response_body > 0};
  Curl().curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, WriteBody);
  Curl().curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  Curl().curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, WriteHeader);
  Curl().curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response.headers);
  CURLcode rc = Curl().curl_easy_perform(curl);
  response.truncated = sink.truncated;
  response.timings.name_lookup = Seconds(curl, CURLINFO_NAMELOOKUP_TIME_T);
  response.timings.connect = Seconds(curl, CURLINFO_CONNECT_TIME_T);
  response.timings.app_connect = Seconds(curl, CURLINFO_APPCONNECT_TIME_T);
  response.timings.pre_transfer = Seconds(curl, CURLINFO_PRETRANSFER_TIME_T);
  response.timings.start_transfer = Seconds(curl, CURLINFO_STARTTRANSFER_TIME_T);
  response.timings.total = Seconds(curl, CURLINFO_TOTAL_TIME_T);
  if (request.collect_certificates) response.earliest_cert_expiry = EarliestExpiry(curl);
  if (rc == CURLE_WRITE_ERROR && sink.truncated) {
    long code = 0;
    Curl().curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    response.status = static_cast<int>(code);
    response.error = "response body exceeds " + std::to_string(sink.cap) + " bytes";
  } else if (rc == CURLE_OK) {
    curl_off_t length = -1;
    if (Curl().curl_easy_getinfo(curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length) == CURLE_OK) {
      response.content_length = static_cast<int64_t>(length);
    }
    long code = 0;
    Curl().curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    response.status = static_cast<int>(code);
  } else {
    response.status = 0;
    response.timed_out = rc == CURLE_OPERATION_TIMEDOUT;
    response.error = Curl().curl_easy_strerror(rc);
    response.body.clear();
  }
  Curl().curl_slist_free_all(headers);
  Curl().curl_easy_cleanup(curl);
  return response;
}

std::string RedactUrl(const std::string& url) {
  size_t scheme = url.find("://");
  size_t host_start = scheme == std::string::npos ? 0 : scheme + 3;
  size_t path = url.find_first_of("/?#", host_start);
  std::string host = url.substr(0, path);
  size_t at = host.find('@', host_start);  // user:password@host
  if (at != std::string::npos)
    host = host.substr(0, host_start) + "<redacted>@" + host.substr(at + 1);
  if (path == std::string::npos || url.substr(path) == "/") return host;
  return host + "/<redacted>";
}

}  // namespace tocsin
