#include "remote/backoff.h"

#include <gtest/gtest.h>

namespace tocsin::remote {
namespace {

using std::chrono::milliseconds;

HttpResponse Status(int code, std::string retry_after = "") {
  HttpResponse r;
  r.status = code;
  if (!retry_after.empty()) r.headers["retry-after"] = retry_after;
  return r;
}

TEST(BackoffTest, Classification) {
  EXPECT_EQ(ClassifyResponse(Status(200), true), SendOutcome::kAcknowledged);
  EXPECT_EQ(ClassifyResponse(Status(204), true), SendOutcome::kAcknowledged);
  EXPECT_EQ(ClassifyResponse(Status(500), true), SendOutcome::kRetry);
  EXPECT_EQ(ClassifyResponse(Status(503), false), SendOutcome::kRetry);
  EXPECT_EQ(ClassifyResponse(Status(429), true), SendOutcome::kRetry);
  EXPECT_EQ(ClassifyResponse(Status(429), false), SendOutcome::kRejected);
  EXPECT_EQ(ClassifyResponse(Status(400), true), SendOutcome::kRejected);
  EXPECT_EQ(ClassifyResponse(Status(404), true), SendOutcome::kRejected);
  EXPECT_EQ(ClassifyResponse(Status(0), true), SendOutcome::kRetry);  // refused / timeout
}

TEST(BackoffTest, DoublesFromMinToMax) {
  milliseconds b{0};
  std::vector<int64_t> seen;
  for (int i = 0; i < 6; ++i) {
    b = NextBackoff(b, milliseconds(30), milliseconds(200));
    seen.push_back(b.count());
  }
  EXPECT_EQ(seen, (std::vector<int64_t>{30, 60, 120, 200, 200, 200}));
}

TEST(BackoffTest, RetryAfterSecondsAndDate) {
  const TimestampMs now = 1445412480000;  // Wed, 21 Oct 2015 07:28:00 GMT
  EXPECT_EQ(ParseRetryAfter("3", now), milliseconds(3000));
  EXPECT_EQ(ParseRetryAfter(" 0 ", now), milliseconds(0));
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:28:05 GMT", now), milliseconds(5000));
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:27:00 GMT", now), milliseconds(0));
  EXPECT_EQ(ParseRetryAfter("soon", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("-1", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("", now), std::nullopt);
}

TEST(BackoffTest, RetryAfterOverridesBackoffOn429And5xx) {
  EXPECT_EQ(RetryDelay(Status(429, "2"), milliseconds(30), 0), milliseconds(2000));
  EXPECT_EQ(RetryDelay(Status(503, "1"), milliseconds(30), 0), milliseconds(1000));
  EXPECT_EQ(RetryDelay(Status(500), milliseconds(30), 0), milliseconds(30));
  EXPECT_EQ(RetryDelay(Status(0), milliseconds(40), 0), milliseconds(40));
}

}  // namespace
}  // namespace tocsin::remote
