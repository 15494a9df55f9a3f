// SmtpClient: the injected outbound-SMTP seam (email notifications), plus CurlSmtpClient, its
// libcurl implementation (libcurl's SMTP: EHLO, STARTTLS or implicit TLS, SASL AUTH, MAIL,
// RCPT, DATA with dot-stuffing, QUIT).
//
// Send() never throws and never blocks longer than the request's timeout (connect included).
// The answer says whether the server accepted the message and, if not, the last SMTP reply
// code and libcurl's reason. CurlSmtpClient is thread-safe: each call uses its own handle.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace tocsin {

struct SmtpRequest {
  std::string host;
  int port = 25;
  bool implicit_tls = false;        // TLS from the first byte (SMTPS, port 465)
  bool require_starttls = false;    // STARTTLS must succeed before anything else is sent
  std::string hello = "localhost";  // the EHLO name
  // SASL credentials; an empty username sends no AUTH (as Alertmanager). AUTH is skipped when
  // the server advertises none.
  std::string username;
  std::string password;
  std::string authzid;                  // PLAIN's authorisation identity (auth_identity)
  std::vector<std::string> mechanisms;  // the SASL mechanisms allowed; empty = any
  std::string mail_from;                // the envelope sender, without brackets
  std::vector<std::string> rcpt_to;     // envelope recipients, without brackets
  std::string message;                  // the RFC 5322 message, CRLF line ends, not dot-stuffed
  // TLS (STARTTLS and implicit): verification, extra CA, client certificate, the name the
  // certificate is checked against (empty: `host`), minimum version ("TLS12"...).
  bool verify_tls = true;
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  std::string server_name;
  std::string tls_min_version;
  std::chrono::milliseconds timeout{30000};
};

struct SmtpResponse {
  bool ok = false;
  int reply_code = 0;  // the last SMTP reply code seen (0 = none, e.g. no connection)
  bool timed_out = false;
  bool auth_failed = false;  // the server refused the credentials
  std::string error;         // what failed, for logs; never contains the password
};

class SmtpClient {
 public:
  virtual ~SmtpClient() = default;
  virtual SmtpResponse Send(const SmtpRequest& request) = 0;
};

class CurlSmtpClient final : public SmtpClient {
 public:
  SmtpResponse Send(const SmtpRequest& request) override;
};

}  // namespace tocsin
