// QueryGate: slots, a bounded wait queue, and deadlines on the steady clock.
#include "agent/http/query_gate.h"

#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "tests/fakes/eventually.h"

namespace tocsin {
namespace {

using std::chrono::milliseconds;

using testing::Eventually;

TEST(QueryGateTest, FullGateQueuesThenRefusesAndAFreedSlotAdmitsTheWaiter) {
  QueryGate gate({.max_concurrent = 1, .max_waiting = 1, .timeout = std::chrono::minutes(2)});
  EXPECT_EQ(gate.ThreadsNeeded(), 2 + QueryGate::kReservedThreads);
  std::optional<QueryGate::Ticket> first;
  {
    auto t = gate.Enter();
    ASSERT_TRUE(t.ok());
    first.emplace(std::move(t).value());
  }
  EXPECT_EQ(gate.running(), 1u);
  auto waiter = std::async(std::launch::async, [&] { return gate.Enter().ok(); });
  ASSERT_TRUE(Eventually([&] { return gate.waiting() == 1; }));
  auto refused = gate.Enter();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);
  first.reset();
  EXPECT_TRUE(waiter.get());
  EXPECT_EQ(gate.running(), 0u);
  EXPECT_EQ(gate.waiting(), 0u);
}

TEST(QueryGateTest, WaitEndsAtTheDeadlineWithPrometheusQueueTimeout) {
  QueryGate gate({.max_concurrent = 1, .max_waiting = 4, .timeout = std::chrono::minutes(2)});
  auto held = gate.Enter();
  ASSERT_TRUE(held.ok());
  // The request's own timeout shortens the configured two minutes.
  auto timed_out = gate.Enter(milliseconds(1));
  ASSERT_FALSE(timed_out.ok());
  EXPECT_EQ(timed_out.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(timed_out.status().message(), "query timed out in query queue");
  EXPECT_EQ(gate.waiting(), 0u);
  EXPECT_FALSE(held->Expired());
  EXPECT_LE(held->deadline(), std::chrono::steady_clock::now() + std::chrono::minutes(2));
}

}  // namespace
}  // namespace tocsin
