// Basic authentication (bcrypt through libcrypt, the success cache), the request filter on a
// real server, the lifecycle gate on /-/reload and the JSON content type the silences API
// requires. TLS itself is exercised end to end in tests/integration/web_security_test.py.
#include "agent/http/web_security.h"

#include <crypt.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>

#include "agent/core/base64.h"
#include "agent/http/routes.h"
#include "agent/http_client/http_client.h"

namespace tocsin {
namespace {

// A bcrypt hash of `password` made by libcrypt at `cost`.
std::string Bcrypt(const std::string& password, int cost) {
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  EXPECT_NE(crypt_gensalt_rn("$2b$", cost, nullptr, 0, salt, sizeof salt), nullptr);
  crypt_data data{};
  const char* h = crypt_rn(password.c_str(), salt, &data, sizeof data);
  EXPECT_NE(h, nullptr);
  return h;
}

std::string BasicHeader(const std::string& user, const std::string& password) {
  return "Basic " + Base64Encode(user + ":" + password);
}

TEST(Base64Test, RoundTrips) {
  for (std::string s : {"", "a", "ab", "abc", "alice:pa:ss", "\xff\x00\x10"}) {
    EXPECT_EQ(Base64Decode(Base64Encode(s)), s);
  }
  EXPECT_EQ(Base64Encode("alice:secret"), "YWxpY2U6c2VjcmV0");
  EXPECT_FALSE(Base64Decode("YWxp=2U6").has_value());
  EXPECT_FALSE(Base64Decode("abc").has_value());
}

TEST(BasicAuthTest, RightAndWrongPasswords) {
  BasicAuth auth({{"alice", Bcrypt("secret", 4)}});
  EXPECT_TRUE(auth.Check(BasicHeader("alice", "secret")));
  EXPECT_TRUE(auth.Check("basic " + Base64Encode("alice:secret")));  // scheme case-insensitive
  EXPECT_FALSE(auth.Check(BasicHeader("alice", "Secret")));
  EXPECT_FALSE(auth.Check(BasicHeader("alice", "")));
  EXPECT_FALSE(auth.Check(BasicHeader("mallory", "secret")));
  EXPECT_FALSE(auth.Check("Bearer secret"));
  EXPECT_FALSE(auth.Check("Basic !!!"));
  EXPECT_FALSE(auth.Check(""));
}

TEST(BasicAuthTest, OnlySuccessesAreCached) {
  BasicAuth auth({{"alice", Bcrypt("secret", 4)}});
  EXPECT_TRUE(auth.CheckUser("alice", "secret"));
  EXPECT_EQ(auth.bcrypt_checks(), 1u);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(auth.CheckUser("alice", "secret"));
  EXPECT_EQ(auth.bcrypt_checks(), 1u);
  EXPECT_EQ(auth.cache_hits(), 5u);
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(auth.CheckUser("alice", "wrong"));
  EXPECT_EQ(auth.bcrypt_checks(), 4u);               // every wrong password costs a bcrypt
  EXPECT_FALSE(auth.CheckUser("nobody", "secret"));  // unknown users too (a dummy hash)
  EXPECT_EQ(auth.bcrypt_checks(), 5u);
}

TEST(BasicAuthTest, AcceptsEveryBcryptPrefixAndRefusesOverlongPasswords) {
  std::string h = Bcrypt("pw", 4);
  for (std::string prefix : {"$2a$", "$2y$", "$2b$"}) {
    BasicAuth auth({{"u", prefix + h.substr(4)}});
    EXPECT_TRUE(auth.CheckUser("u", "pw")) << prefix;
  }
  const std::string long_pw(73, 'x');
  BasicAuth auth({{"u", Bcrypt(long_pw.substr(0, 72), 4)}});
  EXPECT_TRUE(auth.CheckUser("u", long_pw.substr(0, 72)));
  EXPECT_FALSE(auth.CheckUser("u", long_pw));  // Go's bcrypt refuses > 72 bytes
}

TEST(BasicAuthTest, ConstantTimeEquals) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));
}

// Not an assertion on time: prints what a check costs with and without the cache, for the
// figures in docs (run: http_test --gtest_filter=BasicAuthTest.ReportsCost).
TEST(BasicAuthTest, ReportsCost) {
  BasicAuth auth({{"alice", Bcrypt("secret", 10)}});
  using Clock = std::chrono::steady_clock;
  auto t0 = Clock::now();
  ASSERT_TRUE(auth.CheckUser("alice", "secret"));
  auto t1 = Clock::now();
  constexpr int kCached = 10000;
  for (int i = 0; i < kCached; ++i) ASSERT_TRUE(auth.CheckUser("alice", "secret"));
  auto t2 = Clock::now();
  std::printf("bcrypt cost 10: uncached %.1f ms/check, cached %.2f us/check\n",
              std::chrono::duration<double, std::milli>(t1 - t0).count(),
              std::chrono::duration<double, std::micro>(t2 - t1).count() / kCached);
  EXPECT_EQ(auth.bcrypt_checks(), 1u);
}

class FilteredServerTest : public ::testing::Test {
 protected:
  void Start(const WebSecurityConfig& config) {
    auto swap = security_.Prepare(config);
    ASSERT_TRUE(swap.ok()) << swap.status().message();
    (*swap)();
    server_.Route("/metrics", {"GET"}, [](const ServerRequest&) {
      return ServerResponse{200, "text/plain", "up 1\n", {}};
    });
    server_.Route("/-/reload", {"POST"}, [this](const ServerRequest&) {
      ++reloads_;
      return ServerResponse{200, "text/plain", "", {}};
    });
    RegisterSilencesApi(server_, [](const ServerRequest& r) {
      return ServerResponse{200, "application/json", "{\"method\":\"" + r.method + "\"}", {}};
    });
    server_.SetFilter([this](const ServerRequest& r) { return security_.Filter(r); });
    ASSERT_TRUE(server_.Start("127.0.0.1:0", 2).ok());
  }

  HttpResponse Do(std::string method, const std::string& target,
                  std::vector<std::pair<std::string, std::string>> headers = {},
                  std::string body = "") {
    HttpRequest r;
    r.method = std::move(method);
    r.url = "http://127.0.0.1:" + std::to_string(server_.port()) + target;
    r.headers = std::move(headers);
    r.body = std::move(body);
    return client_.Do(r);
  }

  std::atomic<int> reloads_{0};
  WebSecurity security_;
  HttpServer server_;
  CurlHttpClient client_;
};

TEST_F(FilteredServerTest, UnauthenticatedRequestsGet401WithBasicChallenge) {
  WebSecurityConfig c;
  c.basic_auth_users = {{"alice", Bcrypt("secret", 4)}};
  c.headers = {{"X-Frame-Options", "deny"}};
  Start(c);
  HttpResponse none = Do("GET", "/metrics");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.Header("www-authenticate"), "Basic");
  EXPECT_EQ(none.body, "Unauthorized\n");
  EXPECT_EQ(none.Header("x-frame-options"), "deny");
  EXPECT_EQ(Do("GET", "/metrics", {{"Authorization", BasicHeader("alice", "nope")}}).status, 401);
  EXPECT_EQ(Do("GET", "/nope").status, 401);  // before routing: no path is revealed
  HttpResponse ok = Do("GET", "/metrics", {{"Authorization", BasicHeader("alice", "secret")}});
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, "up 1\n");
  EXPECT_EQ(ok.Header("x-frame-options"), "deny");
  // State-changing endpoints are refused without credentials even with the right type.
  EXPECT_EQ(Do("POST", "/api/v2/silences", {{"Content-Type", "application/json"}}, "{}").status,
            401);
  EXPECT_EQ(Do("POST", "/-/reload").status, 401);
  EXPECT_EQ(reloads_, 0);
}

TEST_F(FilteredServerTest, SilencesRequireJsonContentType) {
  Start(WebSecurityConfig{});
  EXPECT_EQ(Do("POST", "/api/v2/silences", {}, "{}").status, 415);
  EXPECT_EQ(Do("POST", "/api/v2/silences", {{"Content-Type", "text/plain"}}, "{}").status, 415);
  EXPECT_EQ(
      Do("POST", "/api/v2/silences", {{"Content-Type", "application/x-www-form-urlencoded"}}, "{}")
          .status,
      415);
  EXPECT_EQ(
      Do("POST", "/api/v2/silences", {{"Content-Type", "Application/JSON; charset=utf-8"}}, "{}")
          .status,
      200);
  EXPECT_EQ(Do("DELETE", "/api/v2/silence/x", {{"Content-Type", "text/plain"}}).status, 415);
  EXPECT_EQ(Do("DELETE", "/api/v2/silence/x").status, 200);  // amtool sends no type
  EXPECT_EQ(Do("GET", "/api/v2/silences").status, 200);
  EXPECT_TRUE(IsJsonContentType(" application/json ;charset=utf-8"));
  EXPECT_FALSE(IsJsonContentType("application/jsonp"));
}

TEST(LifecycleRouteTest, ReloadAnswers403UnlessEnabled) {
  for (bool enabled : {false, true}) {
    HttpServer server;
    int reloads = 0;
    Exporter* exporter = nullptr;
    RouteHooks hooks{.exporter = exporter,
                     .ready = [] { return true; },
                     .reload =
                         [&reloads] {
                           ++reloads;
                           return Status::Ok();
                         },
                     .enable_lifecycle = enabled};
    RegisterRoutes(server, hooks);
    const ServerHandler* reload = server.HandlerFor("/-/reload");
    ASSERT_NE(reload, nullptr);
    ServerRequest req;
    req.method = "POST";
    ServerResponse r = (*reload)(req);
    EXPECT_EQ(r.status, enabled ? 200 : 403);
    if (!enabled) {
      EXPECT_EQ(r.body, "Lifecycle API is not enabled.\n");
    }
    EXPECT_EQ(reloads, enabled ? 1 : 0);
  }
}

TEST(WebSecurityTest, SwitchingTlsOnAtReloadIsRefused) {
  WebSecurity security;
  auto first = security.Prepare(WebSecurityConfig{});
  ASSERT_TRUE(first.ok());
  (*first)();
  EXPECT_FALSE(security.tls_enabled());
  WebSecurityConfig tls;
  tls.source_file = "web.yml";
  tls.tls.enabled = true;
  tls.tls.cert_file = "/nonexistent.crt";
  tls.tls.key_file = "/nonexistent.key";
  tls.tls.cert_at = "web.yml:2:3: tls_server_config.cert_file";
  auto second = security.Prepare(tls);
  ASSERT_FALSE(second.ok());
  EXPECT_THAT(second.status().message(),
              ::testing::HasSubstr("web.yml:2:3: tls_server_config.cert_file: cannot read "
                                   "/nonexistent.crt"));
}

}  // namespace
}  // namespace tocsin
