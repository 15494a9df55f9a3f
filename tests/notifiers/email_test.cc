// Email notifications: the MIME encoders and the address parser against Go's (expected values
// generated with Go 1.19's mime, mime/quotedprintable and net/mail, the packages Alertmanager's
// notify/email uses), the message and SMTP transaction EmailNotifier builds, how its outcomes
// are classified, and email_configs in an alertmanager.yml. Delivery over real SMTP is in
// email_delivery_test.cc.
#include <gtest/gtest.h>

#include <fstream>

#include "agent/config/loader.h"
#include "notifiers/email/address_list.h"
#include "notifiers/email/email_notifier.h"
#include "notifiers/email/mime_message.h"
#include "tests/notifiers/test_util.h"

namespace tocsin {
namespace {

TEST(EmailMime, QEncodingMatchesGo) {
  // Go separates encoded words with a space; tocsin folds there (CRLF + space), which a
  // decoder reads the same (RFC 2047 section 2) and keeps header lines short.
  const std::pair<std::string, std::string> kCases[] = {
      {"Störung: Festplatte voll — 97 % auf /var/lib/postgresql/15/main und /var/log",
       "=?utf-8?q?St=C3=B6rung:_Festplatte_voll_=E2=80=94_97_%_auf_/var/lib/postg?=\r\n "
       "=?utf-8?q?resql/15/main_und_/var/log?="},
      {"[FIRING:2] DiskFull (prod db-1)", "[FIRING:2] DiskFull (prod db-1)"},
      {"a=b?c_d", "a=b?c_d"},
      {"line\r\nInjected: yes", "=?utf-8?q?line=0D=0AInjected:_yes?="},
      {"tab\there", "tab\there"},
      {"日本語のアラート名前がとても長い場合にはエンコードされた単語が分割されます",
       "=?utf-8?q?=E6=97=A5=E6=9C=AC=E8=AA=9E=E3=81=AE=E3=82=A2=E3=83=A9=E3=83=BC?=\r\n "
       "=?utf-8?q?=E3=83=88=E5=90=8D=E5=89=8D=E3=81=8C=E3=81=A8=E3=81=A6=E3=82=82?=\r\n "
       "=?utf-8?q?=E9=95=B7=E3=81=84=E5=A0=B4=E5=90=88=E3=81=AB=E3=81=AF=E3=82=A8?=\r\n "
       "=?utf-8?q?=E3=83=B3=E3=82=B3=E3=83=BC=E3=83=89=E3=81=95=E3=82=8C=E3=81=9F?=\r\n "
       "=?utf-8?q?=E5=8D=98=E8=AA=9E=E3=81=8C=E5=88=86=E5=89=B2=E3=81=95=E3=82=8C?=\r\n "
       "=?utf-8?q?=E3=81=BE=E3=81=99?="},
  };
  for (const auto& [in, want] : kCases) EXPECT_EQ(MimeQEncode(in), want) << in;
}

TEST(EmailMime, QuotedPrintableMatchesGo) {
  const std::pair<std::string, std::string> kCases[] = {
      {"<html>\n  <p style=\"color: red\">Hi</p>\n</html>\n",
       "<html>\r\n  <p style=3D\"color: red\">Hi</p>\r\n</html>\r\n"},
      {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\nééééééééé"
       "ééééééééééééééééééééé",
       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=\r\naaaaa\r\n="
       "C3=A9=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9=C3=\r\n=A9=C3=A9="
       "C3=A9=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9=\r\n=C3=A9=C3=A9=C3=A9="
       "C3=A9=C3=A9"},
      {"no newline at end ", "no newline at end=20"},
      {"short line\n", "short line\r\n"},
      {"trailing space \nand tab\t\nend", "trailing space=20\r\nand tab=09\r\nend"},
      {"x=1 + é ü\r\nsecond", "x=3D1 + =C3=A9 =C3=BC\r\nsecond"},
  };
  for (const auto& [in, want] : kCases) EXPECT_EQ(QuotedPrintable(in), want) << in;
}

TEST(EmailMime, AddressListsAsNetMail) {
  struct Case {
    std::string in;
    std::vector<std::string> want;
    std::string error;  // empty: parses
  };
  const Case kCases[] = {
      {"", {}, "mail: no address"},
      {"\"Last, First\" <lf@example.org>", {"lf@example.org"}, ""},
      {"Name <a@b", {}, "mail: unclosed angle-addr"},
      {"Ops Team <ops@example.org>, dev@example.org", {"ops@example.org", "dev@example.org"}, ""},
      {"a@b (comment), <c@d>", {"a@b", "c@d"}, ""},
      {"bad", {}, "mail: missing '@' or angle-addr"},
      {"one@example.org,", {"one@example.org"}, ""},
      {"ops@example.org", {"ops@example.org"}, ""},
      {"x@", {}, "mail: no angle-addr"},
  };
  for (const Case& c : kCases) {
    auto got = ParseAddressList(c.in);
    if (c.error.empty()) {
      ASSERT_TRUE(got.ok()) << c.in << ": " << got.status().message();
      EXPECT_EQ(*got, c.want) << c.in;
    } else {
      ASSERT_FALSE(got.ok()) << c.in;
      EXPECT_EQ(got.status().message(), c.error) << c.in;
    }
  }
}

TEST(EmailMime, MessageLayout) {
  MimeMessage m;
  m.headers = {{"From", "a@example.org"}, {"Subject", "Störung"}};
  m.text = "plain\n";
  m.html = "<p>x=1</p>";
  m.boundary = "b0";
  EXPECT_EQ(SerializeMimeMessage(m),
            "From: a@example.org\r\n"
            "Subject: =?utf-8?q?St=C3=B6rung?=\r\n"
            "Content-Type: multipart/alternative; boundary=b0\r\n"
            "MIME-Version: 1.0\r\n\r\n"
            "--b0\r\n"
            "Content-Transfer-Encoding: quoted-printable\r\n"
            "Content-Type: text/plain; charset=UTF-8\r\n\r\n"
            "plain\r\n"
            "\r\n--b0\r\n"
            "Content-Transfer-Encoding: quoted-printable\r\n"
            "Content-Type: text/html; charset=UTF-8\r\n\r\n"
            "<p>x=3D1</p>"
            "\r\n--b0--\r\n");
}

class RecordingSmtpClient : public SmtpClient {
 public:
  SmtpResponse Send(const SmtpRequest& r) override {
    requests.push_back(r);
    return next;
  }
  std::vector<SmtpRequest> requests;
  SmtpResponse next{true, 250, false, false, ""};
};

EmailConfig MailConfig() {
  EmailConfig c;
  c.to = "Ops <ops@example.org>, {{ .CommonLabels.team }}@example.org";
  c.from = "tocsin@example.org";
  c.smarthost_host = "mail.example.org";
  c.smarthost_port = 587;
  c.auth_username = "tocsin";
  c.auth_password.value = "pw";
  c.text = "{{ range .Alerts }}{{ .Labels.alertname }} on {{ .Labels.instance }}\n{{ end }}";
  c.headers["X-Team"] = "{{ .CommonLabels.team }}";
  return c;
}

Notification Group() {
  Notification n;
  n.receiver = "mail";
  n.group_key = "{}:{alertname=\"DiskFull\"}";
  n.group_labels = Labels{{"alertname", "DiskFull"}};
  n.external_url = "http://tocsin.example:9469";
  n.alerts.push_back(testing::MakeAlert(
      {{"alertname", "DiskFull"}, {"instance", "db<1>"}, {"team", "dba"}}, 1'700'000'000'000));
  return n;
}

// "Name: value" of the message's header block.
std::string Header(const std::string& message, const std::string& name) {
  std::string head = message.substr(0, message.find("\r\n\r\n"));
  size_t at = ("\r\n" + head).find("\r\n" + name + ": ");
  if (at == std::string::npos) return "";
  size_t start = at + name.size() + 2;
  return head.substr(start, head.find("\r\n", start) - start);
}

TEST(EmailNotifier, BuildsTheTransactionAlertmanagerWould) {
  RecordingSmtpClient smtp;
  FakeClock clock(1'700'000'100'000);
  EmailNotifier notifier(MailConfig(), smtp, clock, NotificationTemplates::Default(), "node-1");
  ASSERT_EQ(notifier.Send(Group()).outcome, SendResult::Outcome::kOk);
  ASSERT_EQ(smtp.requests.size(), 1u);
  const SmtpRequest& r = smtp.requests[0];
  EXPECT_EQ(r.mail_from, "tocsin@example.org");
  EXPECT_EQ(r.rcpt_to, (std::vector<std::string>{"ops@example.org", "dba@example.org"}));
  EXPECT_EQ(r.host, "mail.example.org");
  EXPECT_EQ(r.port, 587);
  EXPECT_FALSE(r.implicit_tls);
  EXPECT_TRUE(r.require_starttls);  // require_tls defaults to true
  EXPECT_EQ(r.hello, "localhost");
  EXPECT_EQ(r.username, "tocsin");
  EXPECT_EQ(r.password, "pw");
  EXPECT_EQ(r.mechanisms, (std::vector<std::string>{"PLAIN", "LOGIN"}));
  EXPECT_EQ(Header(r.message, "Subject"), "[FIRING:1] DiskFull (db<1> dba)");
  EXPECT_EQ(Header(r.message, "To"), "Ops <ops@example.org>, dba@example.org");
  EXPECT_EQ(Header(r.message, "From"), "tocsin@example.org");
  EXPECT_EQ(Header(r.message, "X-Team"), "dba");
  EXPECT_EQ(Header(r.message, "Message-Id").substr(0, 20), "<1700000100000000000");
  EXPECT_TRUE(Header(r.message, "Message-Id").ends_with("@node-1>"));
  EXPECT_FALSE(Header(r.message, "Date").empty());
  EXPECT_NE(r.message.find("DiskFull on db<1>\r\n"), std::string::npos);  // text: no escaping
  // The html part went through html/template: the label value is escaped there.
  EXPECT_NE(r.message.find("instance =3D db&lt;1&gt;"), std::string::npos) << r.message;
  EXPECT_EQ(r.message.find("<!--"), std::string::npos);
}

TEST(EmailNotifier, TlsAndAuthChoices) {
  RecordingSmtpClient smtp;
  FakeClock clock(0);
  EmailConfig c = MailConfig();
  c.smarthost_port = 465;
  EmailNotifier(c, smtp, clock).Send(Group());
  EXPECT_TRUE(smtp.requests.back().implicit_tls);
  EXPECT_FALSE(smtp.requests.back().require_starttls);

  // No TLS to a remote host: Go's PlainAuth would refuse; LOGIN remains.
  c = MailConfig();
  c.require_tls = false;
  EmailNotifier(c, smtp, clock).Send(Group());
  EXPECT_FALSE(smtp.requests.back().require_starttls);
  EXPECT_EQ(smtp.requests.back().mechanisms, std::vector<std::string>{"LOGIN"});
  c.smarthost_host = "127.0.0.1";
  EmailNotifier(c, smtp, clock).Send(Group());
  EXPECT_EQ(smtp.requests.back().mechanisms, (std::vector<std::string>{"PLAIN", "LOGIN"}));

  // Only a secret: CRAM-MD5 with it.
  c = MailConfig();
  c.auth_password = {};
  c.auth_secret.value = "s3cret";
  EmailNotifier(c, smtp, clock).Send(Group());
  EXPECT_EQ(smtp.requests.back().mechanisms, std::vector<std::string>{"CRAM-MD5"});
  EXPECT_EQ(smtp.requests.back().password, "s3cret");

  // No username: no AUTH at all.
  c.auth_username.clear();
  EmailNotifier(c, smtp, clock).Send(Group());
  EXPECT_TRUE(smtp.requests.back().username.empty());
}

TEST(EmailNotifier, HeaderValuesCannotInjectHeaders) {
  RecordingSmtpClient smtp;
  FakeClock clock(0);
  EmailConfig c = MailConfig();
  c.headers["Subject"] = "{{ .CommonLabels.team }}\r\nBcc: victim@example.org";
  EmailNotifier(c, smtp, clock).Send(Group());
  const std::string& m = smtp.requests.back().message;
  EXPECT_EQ(m.find("\r\nBcc:"), std::string::npos) << m;
  EXPECT_EQ(Header(m, "Subject"), "=?utf-8?q?dba=0D=0ABcc:_victim@example.org?=");
}

TEST(EmailNotifier, OutcomesAreClassified) {
  RecordingSmtpClient smtp;
  FakeClock clock(0);
  EmailNotifier notifier(MailConfig(), smtp, clock);
  struct Case {
    SmtpResponse response;
    SendResult::Outcome want;
  } cases[] = {
      {{false, 0, false, false, "Couldn't connect to server"}, SendResult::Outcome::kRetry},
      {{false, 0, true, false, "Timeout was reached"}, SendResult::Outcome::kRetry},
      {{false, 421, false, false, "service not available"}, SendResult::Outcome::kRetry},
      {{false, 451, false, false, "DATA failed"}, SendResult::Outcome::kRetry},
      {{false, 535, false, true, "Login denied"}, SendResult::Outcome::kRetry},
      {{false, 550, false, false, "RCPT failed: 550"}, SendResult::Outcome::kDrop},
      {{false, 554, false, false, "DATA failed: 554"}, SendResult::Outcome::kDrop},
  };
  for (const Case& c : cases) {
    smtp.next = c.response;
    SendResult got = notifier.Send(Group());
    EXPECT_EQ(got.outcome, c.want) << c.response.error;
    EXPECT_NE(got.detail.find("mail.example.org:587"), std::string::npos) << got.detail;
    EXPECT_EQ(got.detail.find("pw"), std::string::npos) << got.detail;
  }
}

TEST(EmailNotifier, TemplateAndAddressErrorsDrop) {
  RecordingSmtpClient smtp;
  FakeClock clock(0);
  EmailConfig c = MailConfig();
  c.from = "a@example.org, b@example.org";
  SendResult got = EmailNotifier(c, smtp, clock).Send(Group());
  EXPECT_EQ(got.outcome, SendResult::Outcome::kDrop);
  EXPECT_NE(got.detail.find("must be exactly one 'from' address (got: 2)"), std::string::npos);
  c = MailConfig();
  c.to = "{{ .CommonLabels.missing }}";
  got = EmailNotifier(c, smtp, clock).Send(Group());
  EXPECT_EQ(got.outcome, SendResult::Outcome::kDrop);
  EXPECT_NE(got.detail.find("parse 'to' addresses: mail: no address"), std::string::npos)
      << got.detail;
  c = MailConfig();
  c.html = "<script>{{ .Status }}</script>";
  got = EmailNotifier(c, smtp, clock).Send(Group());
  EXPECT_EQ(got.outcome, SendResult::Outcome::kDrop);
  EXPECT_TRUE(smtp.requests.empty());
}

class EmailConfigTest : public ::testing::Test {
 protected:
  Result<Config> Load(const std::string& am_yaml) {
    std::string dir = testing::TempDir("email-config");
    std::ofstream(dir + "/alertmanager.yml") << am_yaml;
    std::ofstream(dir + "/smtp.pw") << "from-file\n";
    return LoadConfigString("alerting:\n  config_file: " + dir + "/alertmanager.yml\n",
                            dir + "/tocsin.yml");
  }
};

TEST_F(EmailConfigTest, GlobalSmtpDefaultsAreInherited) {
  auto c = Load(R"(global:
  smtp_smarthost: smtp.example.org:587
  smtp_from: alertmanager@example.org
  smtp_auth_username: am
  smtp_auth_password_file: smtp.pw
  smtp_hello: node-1.example.org
  smtp_require_tls: false
route: {receiver: mail}
receivers:
  - name: mail
    email_configs:
      - to: ops@example.org
        headers: {subject: 'Alert {{ .Status }}', x-team: dba}
      - to: dev@example.org
        smarthost: '[::1]:465'
        from: other@example.org
        require_tls: true
        auth_username: dev
        auth_secret: cram
        tls_config: {insecure_skip_verify: true, server_name: mail.internal}
        send_resolved: true
        text: '{{ template "__text_alert_list" .Alerts }}'
)");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const auto& emails = c->alerting.receivers[0].email_configs;
  ASSERT_EQ(emails.size(), 2u);
  EXPECT_EQ(emails[0].smarthost_host, "smtp.example.org");
  EXPECT_EQ(emails[0].smarthost_port, 587);
  EXPECT_EQ(emails[0].from, "alertmanager@example.org");
  EXPECT_EQ(emails[0].hello, "node-1.example.org");
  EXPECT_EQ(emails[0].auth_username, "am");
  EXPECT_EQ(emails[0].auth_password.value, "from-file");
  EXPECT_FALSE(emails[0].require_tls);
  EXPECT_FALSE(emails[0].send_resolved);  // Alertmanager's default for email
  EXPECT_EQ(emails[0].headers.at("Subject"), "Alert {{ .Status }}");  // canonical names
  EXPECT_EQ(emails[0].headers.at("X-Team"), "dba");
  EXPECT_EQ(emails[0].html, R"({{ template "email.default.html" . }})");
  EXPECT_EQ(emails[1].smarthost_host, "::1");
  EXPECT_EQ(emails[1].smarthost_port, 465);
  EXPECT_EQ(emails[1].auth_username, "dev");
  EXPECT_EQ(emails[1].auth_secret.value, "cram");
  EXPECT_EQ(emails[1].auth_password.value, "from-file");  // global, as Alertmanager
  EXPECT_TRUE(emails[1].require_tls);
  EXPECT_TRUE(emails[1].tls.insecure_skip_verify);
  EXPECT_EQ(emails[1].tls.server_name, "mail.internal");
}

TEST_F(EmailConfigTest, ErrorsArePositionedAndWorded) {
  struct Case {
    std::string yaml;
    std::string want;
  } cases[] = {
      {"route: {receiver: m}\nreceivers:\n  - name: m\n    email_configs:\n      - to: a@b\n",
       "no global SMTP smarthost set"},
      {"global: {smtp_smarthost: 'h:25'}\nroute: {receiver: m}\nreceivers:\n  - name: m\n"
       "    email_configs:\n      - to: a@b\n",
       "no global SMTP from set"},
      {"global: {smtp_smarthost: 'h:25', smtp_from: a@b}\nroute: {receiver: m}\nreceivers:\n"
       "  - name: m\n    email_configs:\n      - from: a@b\n",
       "missing to address in email config"},
      {"global: {smtp_smarthost: 'h:25', smtp_from: a@b}\nroute: {receiver: m}\nreceivers:\n"
       "  - name: m\n    email_configs:\n      - to: a@b\n        headers: {Subject: a, "
       "subject: b}\n",
       "duplicate header \"Subject\" in email config"},
      {"global: {smtp_smarthost: 'h:25', smtp_from: a@b}\nroute: {receiver: m}\nreceivers:\n"
       "  - name: m\n    email_configs:\n      - to: a@b\n        html: '{{ if }}'\n",
       "missing value for if"},
      {"global: {smtp_smarthost: 'h:25', smtp_from: a@b}\nroute: {receiver: m}\nreceivers:\n"
       "  - name: m\n    email_configs:\n      - to: a@b\n        rate_limit: {per_second: 1}\n",
       "rate_limit"},
  };
  for (const Case& c : cases) {
    auto got = Load(c.yaml);
    ASSERT_FALSE(got.ok()) << c.yaml;
    EXPECT_NE(got.status().ToString().find(c.want), std::string::npos) << c.yaml << "\n"
                                                                       << got.status().ToString();
    EXPECT_NE(got.status().ToString().find("alertmanager.yml:"), std::string::npos)
        << got.status().ToString();
  }
}

}  // namespace
}  // namespace tocsin
