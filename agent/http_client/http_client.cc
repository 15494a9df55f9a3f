#include "agent/http_client/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <ctime>
#include <mutex>

#include "agent/http_client/curl_common.h"

namespace tocsin {

namespace curl_internal {

// curl_global_init is not thread-safe and must run once before any other libcurl call.
bool Initialised() {
  static const bool ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  return ok;
}

namespace {

// The connection cache shared by requests that ask for reuse (and their DNS and TLS session
// caches): libcurl keeps idle connections there between easy handles and matches them by
// scheme, host, port and TLS settings. One mutex per data kind, as libcurl's lock callbacks ask.
class SharedConnections {
 public:
  SharedConnections() : share_(curl_share_init()) {
    if (share_ == nullptr) return;
    curl_share_setopt(share_, CURLSHOPT_LOCKFUNC, Lock);
    curl_share_setopt(share_, CURLSHOPT_UNLOCKFUNC, Unlock);
    curl_share_setopt(share_, CURLSHOPT_USERDATA, this);
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  }
  CURLSH* get() const { return share_; }

 private:
  static void Lock(CURL*, curl_lock_data data, curl_lock_access, void* user) {
    static_cast<SharedConnections*>(user)->Mutex(data).lock();
  }
  static void Unlock(CURL*, curl_lock_data data, void* user) {
    static_cast<SharedConnections*>(user)->Mutex(data).unlock();
  }
  std::mutex& Mutex(curl_lock_data data) {
    return mutexes_[static_cast<size_t>(data) % mutexes_.size()];
  }

  CURLSH* share_;
  std::array<std::mutex, CURL_LOCK_DATA_LAST> mutexes_;
};

}  // namespace

CURLSH* SharedConnectionCache() {
  // Never destroyed: easy handles of other static objects may still use it at exit.
  static SharedConnections* shared = new SharedConnections();
  return shared->get();
}

void ApplyTls(CURL* curl, const TlsOptions& tls) {
  if (!tls.verify) {
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (!tls.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, tls.ca_file.c_str());
  if (!tls.cert_file.empty()) curl_easy_setopt(curl, CURLOPT_SSLCERT, tls.cert_file.c_str());
  if (!tls.key_file.empty()) curl_easy_setopt(curl, CURLOPT_SSLKEY, tls.key_file.c_str());
  if (!tls.min_version.empty()) {
    long version = tls.min_version == "TLS13"   ? CURL_SSLVERSION_TLSv1_3
                   : tls.min_version == "TLS12" ? CURL_SSLVERSION_TLSv1_2
                   : tls.min_version == "TLS11" ? CURL_SSLVERSION_TLSv1_1
                                                : CURL_SSLVERSION_TLSv1_0;
    curl_easy_setopt(curl, CURLOPT_SSLVERSION, version);
  }
}

}  // namespace curl_internal

namespace {

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
  if (curl_easy_getinfo(curl, info, &us) != CURLE_OK) return 0;
  return static_cast<double>(us) / 1e6;
}

// "Expire date: Jan  1 00:00:00 2030 GMT" (OpenSSL's ASN1_TIME_print) -> Unix seconds.
std::optional<int64_t> EarliestExpiry(CURL* curl) {
  struct curl_certinfo* info = nullptr;
  if (curl_easy_getinfo(curl, CURLINFO_CERTINFO, &info) != CURLE_OK || info == nullptr) {
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

struct UrlHost {
  std::string scheme;  // "https://"
  std::string host;    // as written, brackets kept for IPv6
  std::string port;    // explicit or the scheme's default
  std::string rest;    // path, query and fragment
};

std::optional<UrlHost> SplitUrlHost(const std::string& url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return std::nullopt;
  UrlHost u;
  u.scheme = url.substr(0, scheme_end + 3);
  size_t start = scheme_end + 3;
  size_t end = url.find_first_of("/?#", start);
  std::string authority = url.substr(start, end == std::string::npos ? end : end - start);
  u.rest = end == std::string::npos ? "" : url.substr(end);
  size_t at = authority.rfind('@');
  if (at != std::string::npos) authority = authority.substr(at + 1);
  size_t colon = authority.rfind(':');
  size_t bracket = authority.rfind(']');
  if (colon != std::string::npos && (bracket == std::string::npos || colon > bracket)) {
    u.host = authority.substr(0, colon);
    u.port = authority.substr(colon + 1);
  } else {
    u.host = authority;
    u.port = u.scheme == "https://" ? "443" : "80";
  }
  return u;
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
  if (!curl_internal::Initialised()) {
    response.error = "libcurl: curl_global_init failed";
    return response;
  }
  CURL* curl = curl_easy_init();
  if (curl == nullptr) {
    response.error = "curl_easy_init failed";
    return response;
  }
  struct curl_slist* headers = nullptr;
  for (const auto& [name, value] : request.headers) {
    headers = curl_slist_append(headers, (name + ": " + value).c_str());
  }
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
  long timeout_ms = std::max<long>(1, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "tocsin");
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  if (request.reuse_connection) {
    if (CURLSH* share = curl_internal::SharedConnectionCache()) {
      curl_easy_setopt(curl, CURLOPT_SHARE, share);
    }
  }
  if (request.method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
  } else if (request.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);  // else curl waits for Content-Length bytes
  } else if (request.method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    if (!request.body.empty()) {
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
    }
  }
  if (request.accept_gzip) curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "gzip");
  curl_internal::ApplyTls(curl, {request.verify_tls, request.ca_file, request.cert_file,
                                 request.key_file, request.tls_min_version});
  struct curl_slist* connect_to = nullptr;
  std::string url = request.url;
  if (!request.server_name.empty()) {
    // Ask for https://server_name:port/... and connect it to the URL's own host and port.
    if (auto target = SplitUrlHost(request.url)) {
      url = target->scheme + request.server_name + ":" + target->port + target->rest;
      connect_to = curl_slist_append(nullptr, (request.server_name + ":" + target->port + ":" +
                                               target->host + ":" + target->port)
                                                  .c_str());
      curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
      curl_easy_setopt(curl, CURLOPT_CONNECT_TO, connect_to);
    }
  }
  if (request.collect_certificates) curl_easy_setopt(curl, CURLOPT_CERTINFO, 1L);
  if (!request.proxy_url.empty()) curl_easy_setopt(curl, CURLOPT_PROXY, request.proxy_url.c_str());
  BodySink sink{
      &response.body,
      request.max_response_body > 0 ? request.max_response_body : HttpClient::kMaxResponseBody,
      request.max_response_body > 0};
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, WriteBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, WriteHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response.headers);
  CURLcode rc = curl_easy_perform(curl);
  response.truncated = sink.truncated;
  response.timings.name_lookup = Seconds(curl, CURLINFO_NAMELOOKUP_TIME_T);
  response.timings.connect = Seconds(curl, CURLINFO_CONNECT_TIME_T);
  response.timings.app_connect = Seconds(curl, CURLINFO_APPCONNECT_TIME_T);
  response.timings.pre_transfer = Seconds(curl, CURLINFO_PRETRANSFER_TIME_T);
  response.timings.start_transfer = Seconds(curl, CURLINFO_STARTTRANSFER_TIME_T);
  response.timings.total = Seconds(curl, CURLINFO_TOTAL_TIME_T);
  long connects = 0;
  if (curl_easy_getinfo(curl, CURLINFO_NUM_CONNECTS, &connects) == CURLE_OK) {
    response.new_connections = static_cast<int>(connects);
  }
  if (request.collect_certificates) response.earliest_cert_expiry = EarliestExpiry(curl);
  if (rc == CURLE_WRITE_ERROR && sink.truncated) {
    long code = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    response.status = static_cast<int>(code);
    response.error = "response body exceeds " + std::to_string(sink.cap) + " bytes";
  } else if (rc == CURLE_OK) {
    curl_off_t length = -1;
    if (curl_easy_getinfo(curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length) == CURLE_OK) {
      response.content_length = static_cast<int64_t>(length);
    }
    long code = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    response.status = static_cast<int>(code);
  } else {
    response.status = 0;
    response.timed_out = rc == CURLE_OPERATION_TIMEDOUT;
    response.error = curl_easy_strerror(rc);
    response.body.clear();
  }
  curl_slist_free_all(headers);
  curl_slist_free_all(connect_to);
  curl_easy_cleanup(curl);
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
