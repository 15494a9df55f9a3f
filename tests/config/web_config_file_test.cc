// web.config_file (exporter-toolkit's web-config.yml) and --http.config.file (Prometheus's HTTP
// client config): keys, defaults, and positioned errors.
#include "agent/config/web_config_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "agent/config/http_client_config_file.h"
#include "agent/config/loader.h"
#include "tests/config/test_dir.h"

namespace tocsin {
namespace {

using ::testing::HasSubstr;

constexpr char kHash[] = "$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi";

TEST(WebConfigFileTest, ReadsEveryKey) {
  auto c = LoadWebConfigString(std::string(R"(tls_server_config:
  cert_file: server.crt
  key_file: /etc/tocsin/server.key
  client_auth_type: RequireAndVerifyClientCert
  client_ca_file: ca.crt
  min_version: TLS13
  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_AES_128_GCM_SHA256]
  prefer_server_cipher_suites: false
  curve_preferences: [X25519, CurveP256]
  client_allowed_sans: [client.example]
http_server_config:
  http2: false
  headers:
    X-Frame-Options: deny
    Strict-Transport-Security: max-age=31536000
basic_auth_users:
  alice: ')") + kHash + "'\n",
                               "/etc/tocsin/web.yml");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_TRUE(c->tls.enabled);
  EXPECT_EQ(c->tls.cert_file, "/etc/tocsin/server.crt");
  EXPECT_EQ(c->tls.key_file, "/etc/tocsin/server.key");
  EXPECT_EQ(c->tls.client_ca_file, "/etc/tocsin/ca.crt");
  EXPECT_EQ(c->tls.client_auth, ClientAuthType::kRequireAndVerifyClientCert);
  EXPECT_EQ(c->tls.min_version, 0x0304);
  EXPECT_EQ(c->tls.max_version, 0x0304);
  EXPECT_EQ(c->tls.cipher_list, "ECDHE-RSA-AES128-GCM-SHA256");
  EXPECT_FALSE(c->tls.prefer_server_cipher_suites);
  EXPECT_EQ(c->tls.groups, "X25519:P-256");
  EXPECT_THAT(c->tls.client_allowed_sans, ::testing::ElementsAre("client.example"));
  EXPECT_THAT(c->tls.cert_at, HasSubstr("/etc/tocsin/web.yml:2:3: tls_server_config.cert_file"));
  EXPECT_FALSE(c->http2);
  ASSERT_EQ(c->headers.size(), 2u);
  EXPECT_EQ(c->basic_auth_users.at("alice"), kHash);
}

TEST(WebConfigFileTest, DefaultsAsExporterToolkit) {
  auto c = LoadWebConfigString("basic_auth_users: {}\n", "web.yml");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_FALSE(c->tls.enabled);
  EXPECT_EQ(c->tls.min_version, 0x0303);
  EXPECT_EQ(c->tls.max_version, 0x0304);
  EXPECT_TRUE(c->tls.prefer_server_cipher_suites);
  EXPECT_TRUE(c->http2);
  auto empty = LoadWebConfigString("", "web.yml");
  ASSERT_TRUE(empty.ok()) << empty.status().message();
}

TEST(WebConfigFileTest, ErrorsArePositioned) {
  auto c = LoadWebConfigString(R"(tls_server_config:
  cert_file: a.crt
  key_file: a.key
  certfile: typo
  client_auth_type: Sometimes
  min_version: TLS14
  cipher_suites: [TLS_RSA_WITH_RC4_128_SHA]
  curve_preferences: [P256]
http_server_config:
  headers:
    X-Powered-By: tocsin
    X-Content-Type-Options: sniff
basic_auth_users:
  bob: plaintext
rate_limit: {burst: 1}
)",
                               "web.yml");
  ASSERT_FALSE(c.ok());
  const std::string& m = c.status().message();
  EXPECT_THAT(m, HasSubstr("web.yml:4:3: tls_server_config.certfile: unknown key"));
  EXPECT_THAT(m, HasSubstr("web.yml:5:21: tls_server_config.client_auth_type: invalid "
                           "client_auth_type \"Sometimes\""));
  EXPECT_THAT(m, HasSubstr("web.yml:6:16: tls_server_config.min_version: unknown TLS version: "
                           "TLS14"));
  EXPECT_THAT(m, HasSubstr("tls_server_config.cipher_suites[0]: unknown cipher: "
                           "TLS_RSA_WITH_RC4_128_SHA"));
  EXPECT_THAT(m, HasSubstr("tls_server_config.curve_preferences[0]: unknown curve: P256"));
  EXPECT_THAT(m, HasSubstr("web.yml:11:5: http_server_config.headers.X-Powered-By: HTTP header "
                           "\"X-Powered-By\" can not be configured"));
  EXPECT_THAT(m, HasSubstr("http_server_config.headers.X-Content-Type-Options: invalid value for "
                           "X-Content-Type-Options. Expected one of: [\"nosniff\"], but got: "
                           "\"sniff\""));
  EXPECT_THAT(m, HasSubstr("web.yml:14:8: basic_auth_users.bob: not a bcrypt hash"));
  EXPECT_THAT(m, HasSubstr("web.yml:15:13: rate_limit: not supported by tocsin"));
}

TEST(WebConfigFileTest, CombinationsAsExporterToolkit) {
  auto no_key = LoadWebConfigString("tls_server_config: {cert_file: a.crt}\n", "web.yml");
  ASSERT_FALSE(no_key.ok());
  EXPECT_THAT(no_key.status().message(), HasSubstr("missing one of key or key_file"));
  auto ca_without_policy = LoadWebConfigString(
      "tls_server_config: {cert_file: a.crt, key_file: a.key, client_ca_file: ca.crt}\n",
      "web.yml");
  ASSERT_FALSE(ca_without_policy.ok());
  EXPECT_THAT(ca_without_policy.status().message(),
              HasSubstr("client CA's have been configured without a Client Auth Policy"));
  auto verify_without_ca = LoadWebConfigString(
      "tls_server_config: {cert_file: a.crt, key_file: a.key, client_auth_type: "
      "RequireAndVerifyClientCert}\n",
      "web.yml");
  ASSERT_FALSE(verify_without_ca.ok());
  EXPECT_THAT(verify_without_ca.status().message(), HasSubstr("needs client_ca_file"));
}

TEST(WebConfigFileTest, MainConfigLoadsTheWebConfigFile) {
  testing_support::TempDir dir;
  dir.Write("web.yml", "http_server_config:\n  headers: {Bogus: 1}\n");
  std::string main =
      dir.Write("tocsin.yml", "web:\n  config_file: web.yml\n  enable_lifecycle: true\n");
  auto c = LoadConfigFile(main);
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(), HasSubstr("web.yml:2:13: http_server_config.headers.Bogus"));
  dir.Write("web.yml", std::string("basic_auth_users: {u: '") + kHash + "'}\n");
  c = LoadConfigFile(main);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_TRUE(c->web.enable_lifecycle);
  EXPECT_EQ(c->web.security.basic_auth_users.size(), 1u);
  auto missing = LoadConfigString("web: {config_file: /nonexistent/web.yml}\n", "<t>");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("/nonexistent/web.yml: cannot read"));
  auto defaults = LoadConfigString("{}\n", "<t>");
  ASSERT_TRUE(defaults.ok());
  EXPECT_FALSE(defaults->web.enable_lifecycle);
}

TEST(WebConfigFileTest, CipherNames) {
  EXPECT_EQ(OpenSslCipherName("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305"),
            "ECDHE-ECDSA-CHACHA20-POLY1305");
  EXPECT_EQ(OpenSslCipherName("TLS_AES_256_GCM_SHA384"), "");
  EXPECT_EQ(OpenSslCipherName("TLS_RSA_WITH_3DES_EDE_CBC_SHA"), "?");
}

TEST(HttpClientConfigFileTest, ReadsPrometheusKeys) {
  testing_support::TempDir dir;
  dir.Write("pw", "s3cret\n");
  std::string path = dir.Write("http.yml", R"(basic_auth:
  username: alice
  password_file: pw
tls_config:
  ca_file: ca.crt
  cert_file: client.crt
  key_file: client.key
  server_name: tocsin.example
  insecure_skip_verify: false
follow_redirects: true
)");
  auto c = LoadHttpClientConfigFile(path);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->username, "alice");
  EXPECT_EQ(c->password, "s3cret");
  EXPECT_EQ(c->ca_file, (dir.path() / "ca.crt").string());
  EXPECT_EQ(c->server_name, "tocsin.example");
  auto bearer = LoadHttpClientConfigString("authorization: {credentials: tok}\n", "h.yml");
  ASSERT_TRUE(bearer.ok()) << bearer.status().message();
  EXPECT_EQ(bearer->authorization_type, "Bearer");
  EXPECT_EQ(bearer->authorization_credentials, "tok");
  auto bad = LoadHttpClientConfigString("tls_config: {cafile: x}\nproxy_url: http://p\n", "h.yml");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("h.yml:1:14: tls_config.cafile: unknown key"));
  EXPECT_THAT(bad.status().message(), HasSubstr("h.yml:2:1: proxy_url: unknown key"));
  auto both = LoadHttpClientConfigString(
      "basic_auth: {username: a, password: b}\nbearer_token: t\n", "h.yml");
  ASSERT_FALSE(both.ok());
}

}  // namespace
}  // namespace tocsin
