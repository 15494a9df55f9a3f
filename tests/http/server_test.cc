// HttpServer over a real socket, driven with libcurl: the exception barrier, HEAD, and the
// request-size limits.
#include "agent/http/server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "agent/core/internal_errors.h"
#include "agent/http_client/http_client.h"

namespace tocsin {
namespace {

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Route("/ok", {"GET"}, [](const ServerRequest& r) {
      return ServerResponse{200, "text/plain", "hello " + r.method + "\n", {{"X-Seen", "1"}}};
    });
    server_.Route("/throws", {"GET", "POST"}, [](const ServerRequest&) -> ServerResponse {
      throw std::runtime_error("handler exploded");
    });
    server_.SetObserver([this](const std::string& handler, int code) {
      std::lock_guard lock(mu_);
      seen_.push_back(handler + " " + std::to_string(code));
    });
    ASSERT_TRUE(server_.Start("127.0.0.1:0", 2).ok());
  }

  HttpResponse Do(std::string method, const std::string& target, std::string body = "") {
    HttpRequest r;
    r.method = std::move(method);
    r.url = "http://127.0.0.1:" + std::to_string(server_.port()) + target;
    r.body = std::move(body);
    return client_.Do(r);
  }

  std::vector<std::string> Seen() {
    std::lock_guard lock(mu_);
    return seen_;
  }

  // Declared before the server so they outlive it: the observer runs on a civetweb worker
  // just after the answer is written, possibly while the test body is already returning.
  std::mutex mu_;
  std::vector<std::string> seen_;
  HttpServer server_;
  CurlHttpClient client_;
};

TEST_F(HttpServerTest, EveryAnswerIsObservedByRouteAndCode) {
  Do("GET", "/ok");
  Do("GET", "/throws");
  Do("GET", "/nope");
  Do("POST", "/ok", "x");
  // The observer runs just after the answer is written: poll (bounded) for the last one.
  for (int i = 0; i < 1000 && Seen().size() < 4; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  // Two workers serve the four requests, so the observations may arrive in either order.
  EXPECT_THAT(Seen(),
              ::testing::UnorderedElementsAre("/ok 200", "/throws 500", "other 404", "/ok 405"));
}

TEST_F(HttpServerTest, ThrowingHandlerAnswers500AndTheServerCarriesOn) {
  uint64_t before = InternalErrors::Process().Snapshot()["http"];
  HttpResponse r = Do("GET", "/throws");
  EXPECT_EQ(r.status, 500);
  EXPECT_NE(r.body.find("handler exploded"), std::string::npos) << r.body;
  EXPECT_EQ(InternalErrors::Process().Snapshot()["http"], before + 1);
  EXPECT_EQ(Do("GET", "/ok").status, 200);
  EXPECT_EQ(Do("POST", "/throws", "x").status, 500);
  EXPECT_EQ(InternalErrors::Process().Snapshot()["http"], before + 2);
}

TEST_F(HttpServerTest, HeadSendsTheGetHeadersWithoutABody) {
  HttpResponse get = Do("GET", "/ok");
  ASSERT_EQ(get.status, 200);
  EXPECT_EQ(get.body, "hello GET\n");
  HttpResponse head = Do("HEAD", "/ok");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.body, "");
  EXPECT_EQ(head.content_length, static_cast<int64_t>(get.body.size()));
  EXPECT_EQ(head.Header("x-seen"), "1");
  // The connection stays usable after a body-less answer.
  EXPECT_EQ(Do("GET", "/ok").body, "hello GET\n");
  HttpResponse post = Do("POST", "/ok", "x");
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(post.Header("allow"), "GET, HEAD");
}

TEST_F(HttpServerTest, OversizedTargetAndBodyAreRefused) {
  std::string long_query = "/ok?q=" + std::string(HttpServer::kMaxRequestTarget, 'a');
  EXPECT_EQ(Do("GET", long_query).status, 414);
  EXPECT_EQ(Do("POST", "/throws", std::string(HttpServer::kMaxRequestBody + 1, 'b')).status, 413);
  EXPECT_EQ(Do("GET", "/ok").status, 200);
}

}  // namespace
}  // namespace tocsin
