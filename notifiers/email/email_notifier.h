// EmailNotifier: Alertmanager's email_configs over SMTP (notify/email): the envelope from the
// expanded `from` (exactly one address) and `to` (a list), headers Subject/To/From plus the
// configured ones (templates, Q-encoded), a Message-Id and Date, and a multipart/alternative
// body with the `text` part (text template) and the `html` part (html/template escaping),
// both quoted-printable. The transport is the SmtpClient seam: implicit TLS on port 465,
// otherwise STARTTLS when require_tls (the default); AUTH with auth_password (PLAIN, LOGIN;
// PLAIN only over TLS or to localhost, as Go's net/smtp) or auth_secret (CRAM-MD5).
//
// Outcomes: a template or address error drops the notification; refused connections,
// timeouts, TLS failures, rejected credentials and 4yz replies are retried; any other 5yz
// reply (a rejected sender or recipient, a refused message) is permanent and drops it.
// Borrows the SmtpClient and the Clock; shares the templates. One worker at a time.
#pragma once

#include <memory>
#include <string>

#include "agent/core/clock.h"
#include "agent/http_client/smtp_client.h"
#include "notifiers/config.h"
#include "notifiers/notifier.h"
#include "notifiers/template/notification_templates.h"

namespace tocsin {

class EmailNotifier final : public Notifier {
 public:
  EmailNotifier(
      EmailConfig config, SmtpClient& smtp, const Clock& clock,
      std::shared_ptr<const NotificationTemplates> templates = NotificationTemplates::Default(),
      std::string hostname = "");
  std::string_view Integration() const override { return "email"; }
  bool SendResolved() const override { return config_.send_resolved; }
  RateLimitConfig RateLimit() const override { return config_.rate_limit; }
  SendResult Send(const Notification& n) override;

  // The SMTP transaction Send() makes for `n` (message included); an error means the
  // notification cannot be sent as configured.
  Result<SmtpRequest> Request(const Notification& n) const;

 private:
  EmailConfig config_;
  SmtpClient& smtp_;
  const Clock& clock_;
  std::shared_ptr<const NotificationTemplates> templates_;
  std::string hostname_;  // for Message-Ids
};

}  // namespace tocsin
