// CurlHttpClient against a local HTTP/1.1 server (tests/fakes/webhook_fake.py): requests that
// ask for reuse share idle keep-alive connections, from any thread; others connect anew (probes
// time the connect and the TLS handshake).
#include "agent/http_client/http_client.h"

#include <gtest/gtest.h>

#include <thread>

#include "tests/notifiers/test_util.h"

namespace tocsin {
namespace {

HttpRequest Post(const testing::FakeServer& fake, bool reuse) {
  HttpRequest r;
  r.url = fake.Url("/hook/reuse");
  r.headers = {{"Content-Type", "application/json"}};
  r.body = "{}";  // refused with 400 by the fake's validation: the connection stays open
  r.reuse_connection = reuse;
  return r;
}

TEST(CurlHttpClientTest, ReusedConnectionsAreSharedAcrossCallsAndThreads) {
  testing::FakeServer fake("webhook_fake.py");
  ASSERT_TRUE(fake.Start());
  CurlHttpClient http;
  HttpResponse first = http.Do(Post(fake, true));
  ASSERT_EQ(first.status, 400) << first.error;
  EXPECT_EQ(first.new_connections, 1);
  for (int i = 0; i < 5; ++i) {
    HttpResponse again = http.Do(Post(fake, true));
    ASSERT_EQ(again.status, 400);
    EXPECT_EQ(again.new_connections, 0) << "request " << i << " opened a connection";
  }
  // Another thread (another client object too) takes the idle connection as well.
  int from_thread = -1;
  std::thread([&] {
    CurlHttpClient other;
    from_thread = other.Do(Post(fake, true)).new_connections;
  }).join();
  EXPECT_EQ(from_thread, 0);
  // Without reuse, every request connects.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(http.Do(Post(fake, false)).new_connections, 1);
}

}  // namespace
}  // namespace tocsin
