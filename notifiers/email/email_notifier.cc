#include "notifiers/email/email_notifier.h"

#include <unistd.h>

#include <map>

#include "notifiers/email/address_list.h"
#include "notifiers/email/mime_message.h"
#include "notifiers/template/template_data.h"

namespace tocsin {
namespace {

constexpr const char* kDefaultSubject = R"({{ template "email.default.subject" . }})";

std::string LocalHostname() {
  char buf[256] = "";
  if (gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "localhost.localdomain";
  return buf;
}

bool IsLocalhost(const std::string& host) {
  return host == "localhost" || host == "127.0.0.1" || host == "::1";
}

}  // namespace

EmailNotifier::EmailNotifier(EmailConfig config, SmtpClient& smtp, const Clock& clock,
                             std::shared_ptr<const NotificationTemplates> templates,
                             std::string hostname)
    : config_(std::move(config)),
      smtp_(smtp),
      clock_(clock),
      templates_(std::move(templates)),
      hostname_(hostname.empty() ? LocalHostname() : std::move(hostname)) {
  // Alertmanager's email.New: Subject, To and From headers unless configured.
  config_.headers.emplace("Subject", kDefaultSubject);
  config_.headers.emplace("To", config_.to);
  config_.headers.emplace("From", config_.from);
}

Result<SmtpRequest> EmailNotifier::Request(const Notification& n) const {
  const rules::tmpl::Value data = NotificationTemplateData(n);
  auto expand = [&](const std::string& what, const std::string& text) -> Result<std::string> {
    auto out = templates_->Expand(text, data);
    if (!out.ok())
      return InvalidArgument("execute '" + what + "' template: " + out.status().message());
    return out;
  };
  SmtpRequest req;
  Result<std::string> from = expand("from", config_.from);
  if (!from.ok()) return from.status();
  Result<std::string> to = expand("to", config_.to);
  if (!to.ok()) return to.status();
  auto senders = ParseAddressList(*from);
  if (!senders.ok())
    return InvalidArgument("parse 'from' addresses: " + senders.status().message());
  if (senders->size() != 1) {
    return InvalidArgument(
        "must be exactly one 'from' address (got: " + std::to_string(senders->size()) + ")");
  }
  auto recipients = ParseAddressList(*to);
  if (!recipients.ok()) {
    return InvalidArgument("parse 'to' addresses: " + recipients.status().message());
  }
  req.mail_from = senders->front();
  req.rcpt_to = *recipients;

  MimeMessage m;
  for (const auto& [name, text] : config_.headers) {  // sorted by name
    auto value = templates_->Expand(text, data);
    if (!value.ok()) {
      return InvalidArgument("execute \"" + name +
                             "\" header template: " + value.status().message());
    }
    m.headers.emplace_back(name, std::move(value).value());
  }
  TimestampMs now = clock_.NowMs();
  if (!config_.headers.contains("Message-Id")) {
    m.headers.emplace_back(
        "Message-Id", "<" + std::to_string(now) + "000000." + RandomHex(8) + "@" + hostname_ + ">");
  }
  m.headers.emplace_back("Date", Rfc1123zDate(now));
  m.boundary = RandomHex(30);
  if (!config_.text.empty()) {
    Result<std::string> text = expand("text", config_.text);
    if (!text.ok()) return text.status();
    m.text = std::move(text).value();
  }
  if (!config_.html.empty()) {
    auto html = templates_->ExpandHtml(config_.html, data);
    if (!html.ok()) return InvalidArgument("execute html template: " + html.status().message());
    m.html = std::move(html).value();
  }
  req.message = SerializeMimeMessage(m);

  req.host = config_.smarthost_host;
  req.port = config_.smarthost_port;
  req.implicit_tls = config_.smarthost_port == 465;
  req.require_starttls = config_.require_tls && !req.implicit_tls;
  req.hello = config_.hello.empty() ? "localhost" : config_.hello;
  bool tls = req.implicit_tls || req.require_starttls;
  if (!config_.auth_username.empty()) {
    req.username = config_.auth_username;
    if (!config_.auth_password.empty()) {
      req.password = config_.auth_password.value;
      // Go's smtp.PlainAuth refuses to send the password in clear to anything but localhost.
      if (tls || IsLocalhost(config_.smarthost_host)) req.mechanisms.push_back("PLAIN");
      req.mechanisms.push_back("LOGIN");
      req.authzid = config_.auth_identity;
    } else if (!config_.auth_secret.empty()) {
      req.password = config_.auth_secret.value;
      req.mechanisms.push_back("CRAM-MD5");
    }
  }
  req.verify_tls = !config_.tls.insecure_skip_verify;
  req.ca_file = config_.tls.ca_file;
  req.cert_file = config_.tls.cert_file;
  req.key_file = config_.tls.key_file;
  req.server_name = config_.tls.server_name;
  req.tls_min_version = config_.tls.min_version;
  req.timeout = config_.timeout;
  return req;
}

SendResult EmailNotifier::Send(const Notification& n) {
  Result<SmtpRequest> req = Request(n);
  if (!req.ok()) return SendResult::Drop("email: " + req.status().message());
  SmtpResponse resp = smtp_.Send(*req);
  if (resp.ok) return SendResult::Ok();
  std::string where =
      " (smarthost " + config_.smarthost_host + ":" + std::to_string(config_.smarthost_port) + ")";
  std::string detail =
      "email: " + resp.error +
      (resp.reply_code != 0 ? " [SMTP " + std::to_string(resp.reply_code) + "]" : "") + where;
  bool permanent = resp.reply_code >= 500 && resp.reply_code < 600 && !resp.auth_failed &&
                   resp.reply_code != 530 && resp.reply_code != 535;
  if (permanent) return SendResult::Drop(detail);
  return SendResult::Retry(detail);
}

}  // namespace tocsin
