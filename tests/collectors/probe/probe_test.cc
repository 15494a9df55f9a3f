// Tests of the HTTP probe collector against real local HTTP and HTTPS servers (probe_server.py,
// with a self-signed certificate made by openssl in the test): success, status classes, body
// regexes, TLS verification on/off and with a CA file, certificate expiry, refused connections
// and timeouts; plus the latency summary.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <string>

#include "collectors/probe/probe_collector.h"
#include "tests/fakes/recording_appender.h"

namespace tocsin {
namespace {

class ProbeServer {
 public:
  bool Start(const std::string& dir) {
    cert_ = dir + "/cert.pem";
    std::string key = dir + "/key.pem";
    std::string cmd =
        "openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=localhost "
        "-addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout " +
        key + " -out " + cert_ + " >/dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0) return false;
    int in[2], out[2];
    if (pipe(in) != 0 || pipe(out) != 0) return false;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(in[0], 0);
      dup2(out[1], 1);
      close(in[1]);
      close(out[0]);
      std::string script =
          std::string(TOCSIN_SOURCE_DIR) + "/tests/collectors/probe/probe_server.py";
      execlp("python3", "python3", script.c_str(), cert_.c_str(), key.c_str(), nullptr);
      _exit(127);
    }
    close(in[0]);
    close(out[1]);
    stdin_ = in[1];
    FILE* f = fdopen(out[0], "r");
    int http = 0, https = 0;
    bool ok = fscanf(f, "%d %d", &http, &https) == 2;  // blocks until the server listens
    fclose(f);
    http_port_ = http;
    https_port_ = https;
    return ok;
  }
  ~ProbeServer() {
    if (stdin_ >= 0) close(stdin_);
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }
  std::string Http(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(http_port_) + path;
  }
  std::string Https(const std::string& path) const {
    return "https://localhost:" + std::to_string(https_port_) + path;
  }
  const std::string& cert() const { return cert_; }

 private:
  pid_t pid_ = -1;
  int stdin_ = -1;
  int http_port_ = 0, https_port_ = 0;
  std::string cert_;
};

class ProbeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = ::testing::TempDir() + "/probe-test-" + std::to_string(getpid());
    ASSERT_EQ(std::system(("mkdir -p " + dir_).c_str()), 0);
    server_ = new ProbeServer();
    ASSERT_TRUE(server_->Start(dir_)) << "cannot start probe_server.py / openssl";
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
    [[maybe_unused]] int rc = std::system(("rm -rf " + dir_).c_str());
  }

  // Runs one probe and returns what it wrote.
  testing::RecordingAppender Probe(ProbeConfig c) {
    if (c.name.empty()) c.name = "p";
    if (c.timeout.count() == 0) c.timeout = std::chrono::seconds(5);
    auto collector = MakeProbeCollector(c, nullptr, nullptr);
    EXPECT_TRUE(collector.ok());
    testing::RecordingAppender app;
    EXPECT_TRUE((*collector)->Collect(CollectContext{}, app).ok());
    return app;
  }
  static double V(const testing::RecordingAppender& app, const std::string& name,
                  const std::string& url, std::initializer_list<Label> extra = {}) {
    LabelsBuilder b(Labels{{"instance", url}, {"probe", "p"}});
    b.Set("__name__", name);
    for (const Label& l : extra) b.Set(l.name, l.value);
    auto v = app.Value(b.Build());
    EXPECT_TRUE(v.has_value()) << name;
    return v.value_or(-1);
  }

  static std::string dir_;
  static ProbeServer* server_;
};
std::string ProbeTest::dir_;
ProbeServer* ProbeTest::server_ = nullptr;

TEST_F(ProbeTest, HttpSuccessWithBlackboxSeries) {
  ProbeConfig c;
  c.url = server_->Http("/ok");
  c.fail_if_body_not_matches_regexp = {"status: healthy"};
  auto app = Probe(c);
  EXPECT_EQ(V(app, "probe_success", c.url), 1);
  EXPECT_EQ(V(app, "probe_http_status_code", c.url), 200);
  EXPECT_EQ(V(app, "probe_http_content_length", c.url), 16);
  EXPECT_EQ(V(app, "probe_http_uncompressed_body_length", c.url), 16);
  EXPECT_EQ(V(app, "probe_http_ssl", c.url), 0);
  EXPECT_EQ(V(app, "probe_failed_due_to_regex", c.url), 0);
  EXPECT_GT(V(app, "probe_duration_seconds", c.url), 0);
  for (const char* phase : {"resolve", "connect", "tls", "processing", "transfer"}) {
    EXPECT_GE(V(app, "probe_http_duration_seconds", c.url, {{"phase", phase}}), 0) << phase;
  }
  EXPECT_EQ(V(app, "probe_http_duration_seconds", c.url, {{"phase", "tls"}}), 0);
  EXPECT_EQ(V(app, "probe_latency_seconds_count", c.url), 1);
  EXPECT_FALSE(app.Value(Labels{{"__name__", "probe_ssl_earliest_cert_expiry"},
                                {"instance", c.url},
                                {"probe", "p"}})
                   .has_value());
}

TEST_F(ProbeTest, StatusCodesAndRegexes) {
  ProbeConfig c;
  c.url = server_->Http("/status/503");
  EXPECT_EQ(V(Probe(c), "probe_success", c.url), 0);
  c.valid_status_codes = {"5xx"};
  EXPECT_EQ(V(Probe(c), "probe_success", c.url), 1);
  c.valid_status_codes = {"200", "204"};
  EXPECT_EQ(V(Probe(c), "probe_http_status_code", c.url), 503);
  ProbeConfig r;
  r.url = server_->Http("/ok");
  r.fail_if_body_matches_regexp = {"health"};
  auto app = Probe(r);
  EXPECT_EQ(V(app, "probe_success", r.url), 0);
  EXPECT_EQ(V(app, "probe_failed_due_to_regex", r.url), 1);
}

TEST_F(ProbeTest, MethodAndHeaders) {
  ProbeConfig c;
  c.url = server_->Http("/echo-method");
  c.method = "POST";
  c.headers = {{"X-Probe", "tocsin"}};
  c.body = "{}";
  c.fail_if_body_not_matches_regexp = {"^POST tocsin$"};
  EXPECT_EQ(V(Probe(c), "probe_success", c.url), 1);
}

TEST_F(ProbeTest, HttpsVerificationAndCertificateExpiry) {
  ProbeConfig c;
  c.url = server_->Https("/ok");
  // Self-signed: verification fails.
  auto app = Probe(c);
  EXPECT_EQ(V(app, "probe_success", c.url), 0);
  EXPECT_EQ(V(app, "probe_http_status_code", c.url), 0);
  // Skipping verification, and trusting the certificate as a CA file, both succeed.
  c.insecure_skip_verify = true;
  app = Probe(c);
  EXPECT_EQ(V(app, "probe_success", c.url), 1);
  EXPECT_EQ(V(app, "probe_http_ssl", c.url), 1);
  EXPECT_GT(V(app, "probe_http_duration_seconds", c.url, {{"phase", "tls"}}), 0);
  double expiry = V(app, "probe_ssl_earliest_cert_expiry", c.url);
  double now = double(std::time(nullptr));
  EXPECT_GT(expiry, now + 29 * 86400.0);
  EXPECT_LT(expiry, now + 31 * 86400.0);
  c.insecure_skip_verify = false;
  c.ca_file = server_->cert();
  EXPECT_EQ(V(Probe(c), "probe_success", c.url), 1);
}

TEST_F(ProbeTest, RefusedConnectionAndTimeout) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);  // nobody listens there now
  ProbeConfig c;
  c.url = "http://127.0.0.1:" + std::to_string(ntohs(a.sin_port)) + "/health";
  auto app = Probe(c);
  EXPECT_EQ(V(app, "probe_success", c.url), 0);
  EXPECT_EQ(V(app, "probe_http_status_code", c.url), 0);
  EXPECT_EQ(V(app, "probe_latency_seconds_count", c.url), 0);  // no response, no observation

  ProbeConfig slow;
  slow.url = server_->Http("/slow");
  slow.timeout = std::chrono::milliseconds(300);
  app = Probe(slow);
  EXPECT_EQ(V(app, "probe_success", slow.url), 0);
  EXPECT_EQ(V(app, "probe_http_status_code", slow.url), 0);
}

TEST_F(ProbeTest, LatencySummaryAccumulatesOverProbes) {
  ProbeConfig c;
  c.name = "p";
  c.url = server_->Http("/ok");
  c.timeout = std::chrono::seconds(5);
  auto collector = MakeProbeCollector(c);
  ASSERT_TRUE(collector.ok());
  testing::RecordingAppender app;
  for (int i = 0; i < 5; ++i) {
    app.Clear();
    ASSERT_TRUE((*collector)->Collect(CollectContext{}, app).ok());
  }
  EXPECT_EQ(V(app, "probe_latency_seconds_count", c.url), 5);
  EXPECT_GT(V(app, "probe_latency_seconds", c.url, {{"quantile", "0.95"}}), 0);
}

}  // namespace
}  // namespace tocsin
