// WakeFilter: which committed metric names wake a rule group.
#include "rules/wake_filter.h"

#include <gtest/gtest.h>

#include "agent/promql/engine.h"

namespace tocsin::rules {
namespace {

WakeFilter FilterOf(std::initializer_list<const char*> exprs) {
  WakeFilter f;
  for (const char* e : exprs) {
    auto parsed = promql::Parse(e);
    EXPECT_TRUE(parsed.ok()) << e;
    if (parsed.ok()) f.Add(**parsed);
  }
  return f;
}

TEST(WakeFilter, NamesFromEverySelectorKind) {
  WakeFilter f = FilterOf({
      "rate(http_requests_total[5m]) / on(job) group_left sum by (job) (up)",
      "max_over_time(deriv(node_load1[1m])[10m:1m]) > -scalar(threshold)",
      "topk(scalar(k_param), errors) or absent(heartbeat offset 5m)",
  });
  for (const char* n :
       {"http_requests_total", "up", "node_load1", "threshold", "k_param", "errors", "heartbeat"}) {
    EXPECT_TRUE(f.Matches(n)) << n;
  }
  EXPECT_FALSE(f.Matches("http_requests"));
  EXPECT_FALSE(f.Matches("node_load5"));
  EXPECT_FALSE(f.matches_everything());
  EXPECT_TRUE(f.MatchesAny({"a", "b", "up"}));
  EXPECT_FALSE(f.MatchesAny({"a", "b"}));
}

TEST(WakeFilter, NameMatchersOtherThanEqualityAreTestedAgainstTheName) {
  WakeFilter f = FilterOf({R"({__name__=~"node_disk_.+_total", device="sda"})",
                           R"(count({__name__!~"go_.*|process_.*", __name__=~"tocsin_.*"}))"});
  EXPECT_TRUE(f.Matches("node_disk_reads_completed_total"));
  EXPECT_FALSE(f.Matches("node_disk_io_now"));
  EXPECT_TRUE(f.Matches("tocsin_store_series"));
  EXPECT_FALSE(f.Matches("go_goroutines")) << "every name matcher of the selector must match";
  EXPECT_FALSE(f.matches_everything());
}

TEST(WakeFilter, SelectorWithoutANameMatchesEverything) {
  WakeFilter f = FilterOf({"up", R"(count({job="node"}) > 0)"});
  EXPECT_TRUE(f.matches_everything());
  EXPECT_TRUE(f.Matches("anything_at_all"));
}

TEST(WakeFilter, ExpressionsWithoutSelectorsMatchNothing) {
  WakeFilter f = FilterOf(
      {"vector(1)", "vector(time()) > 5", R"(label_replace(vector(1), "a", "b", "", ""))"});
  EXPECT_TRUE(f.matches_nothing());
  EXPECT_FALSE(f.Matches("vector"));
  EXPECT_FALSE(f.MatchesAny({"up", "x"}));
}

}  // namespace
}  // namespace tocsin::rules
