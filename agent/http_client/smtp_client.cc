#include "agent/http_client/smtp_client.h"

#include <algorithm>
#include <cstring>

#include "agent/http_client/curl_common.h"

namespace tocsin {
namespace {

struct MessageSource {
  const std::string* message;
  size_t offset = 0;
};

size_t ReadMessage(char* buffer, size_t size, size_t nitems, void* user) {
  auto* src = static_cast<MessageSource*>(user);
  size_t n = std::min(size * nitems, src->message->size() - src->offset);
  std::memcpy(buffer, src->message->data() + src->offset, n);
  src->offset += n;
  return n;
}

// The server's last reply line (libcurl passes SMTP replies as CURLINFO_HEADER_IN), so that a
// failure says what the server said; what tocsin sends (credentials included) is not kept.
int KeepLastReply(CURL*, curl_infotype type, char* data, size_t size, void* user) {
  if (type != CURLINFO_HEADER_IN) return 0;
  auto* last = static_cast<std::string*>(user);
  last->assign(data, size);
  while (!last->empty() && (last->back() == '\n' || last->back() == '\r')) last->pop_back();
  if (last->size() > 200) last->resize(200);
  return 0;
}

// libcurl wants IPv6 literals in brackets in the URL.
std::string UrlHost(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

}  // namespace

SmtpResponse CurlSmtpClient::Send(const SmtpRequest& request) {
  SmtpResponse response;
  if (!curl_internal::Initialised()) {
    response.error = "libcurl: curl_global_init failed";
    return response;
  }
  CURL* curl = curl_easy_init();
  if (curl == nullptr) {
    response.error = "curl_easy_init failed";
    return response;
  }
  // The URL's host is the name TLS checks; CONNECT_TO sends the connection to the real host.
  const std::string& name = request.server_name.empty() ? request.host : request.server_name;
  std::string port = std::to_string(request.port);
  std::string url = std::string(request.implicit_tls ? "smtps://" : "smtp://") + UrlHost(name) +
                    ":" + port + "/" + request.hello;
  struct curl_slist* connect_to = nullptr;
  if (!request.server_name.empty()) {
    connect_to = curl_slist_append(
        nullptr, (UrlHost(name) + ":" + port + ":" + UrlHost(request.host) + ":" + port).c_str());
    curl_easy_setopt(curl, CURLOPT_CONNECT_TO, connect_to);
  }
  struct curl_slist* rcpt = nullptr;
  for (const std::string& to : request.rcpt_to)
    rcpt = curl_slist_append(rcpt, ("<" + to + ">").c_str());
  std::string from = "<" + request.mail_from + ">";
  std::string login_options;
  for (const std::string& mech : request.mechanisms) {
    login_options += (login_options.empty() ? "AUTH=" : ";AUTH=") + mech;
  }
  long timeout_ms = std::max<long>(1, static_cast<long>(request.timeout.count()));
  char error_buffer[CURL_ERROR_SIZE] = "";
  MessageSource source{&request.message};

  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  std::string last_reply;
  curl_easy_setopt(curl, CURLOPT_DEBUGFUNCTION, KeepLastReply);
  curl_easy_setopt(curl, CURLOPT_DEBUGDATA, &last_reply);
  curl_easy_setopt(curl, CURLOPT_VERBOSE, 1L);
  curl_easy_setopt(curl, CURLOPT_USE_SSL,
                   request.require_starttls ? static_cast<long>(CURLUSESSL_ALL)
                                            : static_cast<long>(CURLUSESSL_NONE));
  curl_internal::ApplyTls(curl, {request.verify_tls, request.ca_file, request.cert_file,
                                 request.key_file, request.tls_min_version});
  if (!request.username.empty()) {
    curl_easy_setopt(curl, CURLOPT_USERNAME, request.username.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, request.password.c_str());
    if (!request.authzid.empty()) {
      curl_easy_setopt(curl, CURLOPT_SASL_AUTHZID, request.authzid.c_str());
    }
    if (!login_options.empty()) {
      curl_easy_setopt(curl, CURLOPT_LOGIN_OPTIONS, login_options.c_str());
    }
  }
  curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, ReadMessage);
  curl_easy_setopt(curl, CURLOPT_READDATA, &source);
  curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(request.message.size()));

  CURLcode rc = curl_easy_perform(curl);
  long code = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
  response.reply_code = static_cast<int>(code);
  response.ok = rc == CURLE_OK;
  if (!response.ok) {
    response.timed_out = rc == CURLE_OPERATION_TIMEDOUT;
    response.auth_failed = rc == CURLE_LOGIN_DENIED;
    response.error = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(rc);
    if (!last_reply.empty()) response.error += " (server: \"" + last_reply + "\")";
    if (rc == CURLE_USE_SSL_FAILED) {
      response.error =
          "the server does not offer STARTTLS (require_tls is true): " + response.error;
    }
  }
  curl_slist_free_all(rcpt);
  curl_slist_free_all(connect_to);
  curl_easy_cleanup(curl);
  return response;
}

}  // namespace tocsin
