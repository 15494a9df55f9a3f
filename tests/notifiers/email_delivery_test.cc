// Email delivery over real SMTP: tocsin's EmailNotifier with libcurl's SMTP client
// (CurlSmtpClient) against tests/fakes/smtp_fake.py, which enforces the protocol (RFC 5321,
// STARTTLS, AUTH) and injects faults; and through the dispatcher's durable queue, which keeps
// an undelivered email across a restart. Certificates are made by the openssl CLI per run.
#include <gtest/gtest.h>

#include "agent/http_client/smtp_client.h"
#include "notifiers/dispatcher.h"
#include "notifiers/email/email_notifier.h"
#include "tests/notifiers/test_util.h"

namespace tocsin {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kUser = "tocsin";
constexpr const char* kPassword = "s3cret pass";

// A self-signed certificate for localhost and 127.0.0.1 (its own CA), made once per process.
const std::string& CertDir() {
  static const std::string dir = [] {
    std::string d = testing::TempDir("smtp-cert");
    testing::Child openssl(
        {"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
         "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout",
         d + "/key.pem", "-out", d + "/cert.pem"},
        d + "/openssl.log");
    EXPECT_EQ(openssl.Wait(60s), 0) << testing::ReadFileOrEmpty(d + "/openssl.log");
    return d;
  }();
  return dir;
}

// The fake, with TLS (STARTTLS and an SMTPS listener) and `extra` options.
class SmtpFake {
 public:
  explicit SmtpFake(std::vector<std::string> extra, bool tls = true) {
    if (tls) {
      extra.insert(extra.end(),
                   {"--tls-cert", CertDir() + "/cert.pem", "--tls-key", CertDir() + "/key.pem"});
    }
    server_ = std::make_unique<testing::FakeServer>("smtp_fake.py", extra);
  }
  bool Start() {
    if (!server_->Start()) return false;
    HttpRequest r;
    r.method = "GET";
    r.url = server_->Url("/_control/info");
    HttpResponse resp = http_.Do(r);
    if (resp.status != 200) return false;
    json info = json::parse(resp.body);
    smtp_port_ = info["smtp_port"].get<int>();
    if (info["smtps_port"].is_number()) smtps_port_ = info["smtps_port"].get<int>();
    return true;
  }
  json Messages() { return server_->Received(http_); }
  json Sessions() {
    HttpRequest r;
    r.method = "GET";
    r.url = server_->Url("/_control/received");
    HttpResponse resp = http_.Do(r);
    return resp.status == 200 ? json::parse(resp.body)["sessions"] : json::array();
  }
  bool Faults(const json& faults) { return server_->Faults(http_, faults); }
  bool Reset() {
    HttpRequest r;
    r.url = server_->Url("/_control/reset");
    return http_.Do(r).status == 200;
  }
  void Stop() { server_->Stop(); }
  int smtp_port() const { return smtp_port_; }
  int smtps_port() const { return smtps_port_; }

 private:
  CurlHttpClient http_;
  std::unique_ptr<testing::FakeServer> server_;
  int smtp_port_ = 0;
  int smtps_port_ = 0;
};

EmailConfig MailTo(int port) {
  EmailConfig c;
  c.to = "Ops <ops@example.org>, {{ .CommonLabels.team }}@example.org";
  c.from = "tocsin@example.org";
  c.hello = "node-1.example.org";
  c.smarthost_host = "127.0.0.1";
  c.smarthost_port = port;
  c.auth_username = kUser;
  c.auth_password.value = kPassword;
  c.tls.ca_file = CertDir() + "/cert.pem";
  c.text = "{{ range .Alerts }}{{ .Labels.alertname }} on {{ .Labels.instance }}\n{{ end }}";
  c.timeout = 5s;
  return c;
}

Notification Group(const std::string& instance = "db-1:9100") {
  Notification n;
  n.receiver = "mail";
  n.group_key = "{}:{alertname=\"DiskFull\"}";
  n.group_labels = Labels{{"alertname", "DiskFull"}};
  n.external_url = "http://tocsin.example:9469";
  n.alerts.push_back(testing::MakeAlert(
      {{"alertname", "DiskFull"}, {"instance", instance}, {"team", "dba"}}, 1'700'000'000'000));
  return n;
}

std::string HeaderOf(const json& message, const std::string& name) {
  for (const json& h : message["headers"]) {
    if (h[0] == name) return h[1];
  }
  return "";
}

TEST(EmailDelivery, StartTlsWithAVerifiedCertificateAndEachAuthMechanism) {
  for (const std::string mech : {"PLAIN", "LOGIN", "CRAM-MD5"}) {
    SmtpFake fake({"--auth", std::string(kUser) + ":" + kPassword, "--auth-mechanisms", mech,
                   "--require-tls"});
    ASSERT_TRUE(fake.Start());
    EmailConfig c = MailTo(fake.smtp_port());
    if (mech == "CRAM-MD5") {
      c.auth_password = {};
      c.auth_secret.value = kPassword;
    }
    CurlSmtpClient smtp;
    FakeClock clock(1'700'000'100'000);
    SendResult r = EmailNotifier(c, smtp, clock).Send(Group());
    ASSERT_EQ(r.outcome, SendResult::Outcome::kOk) << mech << ": " << r.detail << "\n"
                                                   << fake.Sessions().dump(1);
    json messages = fake.Messages();
    ASSERT_EQ(messages.size(), 1u) << mech;
    const json& m = messages[0];
    EXPECT_EQ(m["outcome"], "delivered");
    EXPECT_TRUE(m["peer_tls"].get<bool>());
    EXPECT_EQ(m["auth"]["mechanism"], mech);
    EXPECT_EQ(m["auth"]["username"], kUser);
    EXPECT_EQ(m["helo"], "node-1.example.org");
    EXPECT_EQ(m["mail_from"], "tocsin@example.org");
    EXPECT_EQ(m["rcpt_to"], json({"ops@example.org", "dba@example.org"}));
    EXPECT_EQ(m["problems"], json::array()) << m["data"];
    EXPECT_EQ(HeaderOf(m, "Subject"), "[FIRING:1] DiskFull (db-1:9100 dba)");
    ASSERT_EQ(m["parts"].size(), 2u);
    EXPECT_EQ(m["parts"][0]["content_type"], "text/plain");
    EXPECT_EQ(m["parts"][0]["body"], "DiskFull on db-1:9100\r\n");
    EXPECT_EQ(m["parts"][1]["content_type"], "text/html");
    EXPECT_NE(m["parts"][1]["body"].get<std::string>().find("instance = db-1:9100<br>"),
              std::string::npos);
  }
}

TEST(EmailDelivery, ImplicitTlsAndLongUnicodeSubjects) {
  SmtpFake fake({"--auth", std::string(kUser) + ":" + kPassword});
  ASSERT_TRUE(fake.Start());
  ASSERT_NE(fake.smtps_port(), 0);
  EmailConfig c = MailTo(fake.smtps_port());
  c.headers["Subject"] =
      "Störung {{ .CommonLabels.team }}: {{ range .Alerts }}{{ .Labels.instance }} {{ end }}";
  CurlSmtpClient smtp;
  EmailNotifier notifier(c, smtp, SystemClock::Instance());
  // The notifier picks implicit TLS on port 465 only (unit-tested); the fake's SMTPS listener
  // is on a free port, so send the request the notifier built with implicit TLS on.
  Notification n = Group(std::string(200, 'x') + "-ünïcödé");
  auto req = notifier.Request(n);
  ASSERT_TRUE(req.ok()) << req.status().message();
  req->implicit_tls = true;
  req->require_starttls = false;
  SmtpResponse resp = smtp.Send(*req);
  ASSERT_TRUE(resp.ok) << resp.error;
  json m = fake.Messages()[0];
  EXPECT_TRUE(m["implicit_tls"].get<bool>());
  EXPECT_EQ(m["problems"], json::array()) << m["data"];  // no header line past 998 octets
  EXPECT_EQ(HeaderOf(m, "Subject"), "Störung dba: " + std::string(200, 'x') + "-ünïcödé ");
}

TEST(EmailDelivery, CertificatesAreVerified) {
  SmtpFake fake({});
  ASSERT_TRUE(fake.Start());
  EmailConfig c = MailTo(fake.smtp_port());
  c.auth_username.clear();
  c.tls.ca_file.clear();  // the system store does not know the fake's self-signed certificate
  CurlSmtpClient smtp;
  SendResult r = EmailNotifier(c, smtp, SystemClock::Instance()).Send(Group());
  EXPECT_EQ(r.outcome, SendResult::Outcome::kRetry);
  EXPECT_TRUE(fake.Messages().empty());
  c.tls.insecure_skip_verify = true;
  r = EmailNotifier(c, smtp, SystemClock::Instance()).Send(Group());
  EXPECT_EQ(r.outcome, SendResult::Outcome::kOk) << r.detail;
  // server_name: the certificate is checked against that name, the connection goes to the IP.
  c.tls.insecure_skip_verify = false;
  c.tls.ca_file = CertDir() + "/cert.pem";
  c.tls.server_name = "not-localhost.example";
  r = EmailNotifier(c, smtp, SystemClock::Instance()).Send(Group());
  EXPECT_EQ(r.outcome, SendResult::Outcome::kRetry);
  c.tls.server_name = "localhost";
  r = EmailNotifier(c, smtp, SystemClock::Instance()).Send(Group());
  EXPECT_EQ(r.outcome, SendResult::Outcome::kOk) << r.detail;
}

TEST(EmailDelivery, RequireTlsRefusesAServerWithoutStartTls) {
  SmtpFake fake({}, /*tls=*/false);
  ASSERT_TRUE(fake.Start());
  EmailConfig c = MailTo(fake.smtp_port());
  c.auth_username.clear();
  CurlSmtpClient smtp;
  SendResult r = EmailNotifier(c, smtp, SystemClock::Instance()).Send(Group());
  EXPECT_EQ(r.outcome, SendResult::Outcome::kRetry);
  EXPECT_NE(r.detail.find("does not offer STARTTLS"), std::string::npos) << r.detail;
  EXPECT_TRUE(fake.Messages().empty());
  c.require_tls = false;
  r = EmailNotifier(c, smtp, SystemClock::Instance()).Send(Group());
  EXPECT_EQ(r.outcome, SendResult::Outcome::kOk) << r.detail;
  EXPECT_FALSE(fake.Messages()[0]["peer_tls"].get<bool>());
}

TEST(EmailDelivery, FaultsAreRetriedOrDroppedByTheirKind) {
  SmtpFake fake({"--auth", std::string(kUser) + ":" + kPassword});
  ASSERT_TRUE(fake.Start());
  EmailConfig c = MailTo(fake.smtp_port());
  c.timeout = 1500ms;
  CurlSmtpClient smtp;
  EmailNotifier notifier(c, smtp, SystemClock::Instance());
  struct Case {
    const char* kind;
    SendResult::Outcome want;
  } cases[] = {
      {"refuse", SendResult::Outcome::kRetry},   {"greet_421", SendResult::Outcome::kRetry},
      {"timeout", SendResult::Outcome::kRetry},  {"auth_fail", SendResult::Outcome::kRetry},
      {"mail_451", SendResult::Outcome::kRetry}, {"data_451", SendResult::Outcome::kRetry},
      {"rcpt_550", SendResult::Outcome::kDrop},  {"data_554", SendResult::Outcome::kDrop}};
  for (const Case& k : cases) {
    ASSERT_TRUE(fake.Faults(json::array({{{"kind", k.kind}, {"delay", 5}}})));
    SendResult r = notifier.Send(Group());
    EXPECT_EQ(r.outcome, k.want) << k.kind << ": " << r.detail;
    EXPECT_EQ(r.detail.find(kPassword), std::string::npos) << r.detail;
  }
  // Wrong credentials are a retried failure, named as such.
  EmailConfig wrong = c;
  wrong.auth_password.value = "nope";
  SendResult r = EmailNotifier(wrong, smtp, SystemClock::Instance()).Send(Group());
  EXPECT_EQ(r.outcome, SendResult::Outcome::kRetry);
  EXPECT_NE(r.detail.find("535"), std::string::npos) << r.detail;
  // Nothing got through, and the healthy server then takes the message.
  for (const json& m : fake.Messages()) EXPECT_NE(m["outcome"], "delivered") << m.dump();
  EXPECT_EQ(notifier.Send(Group()).outcome, SendResult::Outcome::kOk);
  // A server that is down: connection refused, retried.
  fake.Stop();
  EXPECT_EQ(notifier.Send(Group()).outcome, SendResult::Outcome::kRetry);
}

TEST(EmailDelivery, TheDurableQueueDeliversAcrossARestart) {
  SmtpFake fake({"--auth", std::string(kUser) + ":" + kPassword});
  ASSERT_TRUE(fake.Start());
  ASSERT_TRUE(fake.Faults(json::array({{{"kind", "data_451"}, {"count", 100000}}})));
  AlertingConfig config;
  config.route.receiver = "mail";
  config.route.group_by = std::vector<std::string>{"alertname"};
  config.route.group_wait = 0ms;
  config.route.group_interval = 1h;
  config.delivery.initial_backoff = 50ms;
  config.delivery.max_backoff = 200ms;
  config.delivery.breaker_failures = 1000;
  ReceiverConfig mail;
  mail.name = "mail";
  mail.email_configs.push_back(MailTo(fake.smtp_port()));
  config.receivers = {mail};
  std::string state = testing::TempDir("email-queue");
  CurlHttpClient http;
  TimestampMs now = SystemClock::Instance().NowMs();
  {
    DispatcherOptions o;
    o.state_dir = state;
    auto d = Dispatcher::Create(config, o, SystemClock::Instance(), http);
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    (*d)->Start();
    (*d)->Receive(
        {testing::MakeAlert({{"alertname", "DiskFull"}, {"team", "dba"}}, now, now + 3600'000)});
    ASSERT_TRUE(testing::WaitFor([&] { return fake.Messages().size() >= 3; }));
    (*d)->Stop();
  }
  for (const json& m : fake.Messages()) EXPECT_EQ(m["status"], 451);
  ASSERT_TRUE(fake.Reset());  // healthy again; a new process on the same state_dir
  DispatcherOptions o;
  o.state_dir = state;
  auto d = Dispatcher::Create(config, o, SystemClock::Instance(), http);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  (*d)->Start();
  auto delivered = [&] {
    int n = 0;
    for (const json& m : fake.Messages()) n += m["outcome"] == "delivered";
    return n;
  };
  EXPECT_TRUE(testing::WaitFor([&] { return delivered() == 1; }, 30s)) << fake.Messages().dump(1);
  (*d)->Stop();
  EXPECT_EQ(delivered(), 1);
}

}  // namespace
}  // namespace tocsin
