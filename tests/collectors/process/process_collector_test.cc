// The process collector: process_* of the agent itself, parsed without exceptions.
#include "collectors/process/process_collector.h"

#include <gtest/gtest.h>

#include "tests/fakes/recording_appender.h"

namespace tocsin {
namespace {

// A command name with spaces and a parenthesis, as the kernel writes it.
constexpr std::string_view kSelfStat =
    "4242 (tocsin (x) y) S 1 4242 4242 0 -1 4194560 1234 0 0 0 250 50 0 0 20 0 12 0 "
    "8000 104857600 2560 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
constexpr std::string_view kProcStat = "cpu  1 2 3\nintr 5\nbtime 1700000000\nprocesses 9\n";

TEST(ProcessCollectorTest, ParsesStatLikeClientGolang) {
  auto st = ParseProcessStat(kSelfStat, kProcStat, 100, 4096);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->cpu_seconds, 3.0);                  // (250 + 50) / 100
  EXPECT_EQ(st->virtual_bytes, 104857600.0);        // vsize
  EXPECT_EQ(st->resident_bytes, 2560.0 * 4096);     // rss pages
  EXPECT_EQ(st->start_time_seconds, 1700000080.0);  // btime + 8000 / 100
}

TEST(ProcessCollectorTest, MalformedInputIsAnErrorNotACrash) {
  for (std::string_view self :
       {std::string_view(""), std::string_view("4242 (tocsin"), std::string_view("1 (x) S 1 2"),
        std::string_view("1 (x) S 1 1 1 0 -1 0 0 0 0 0 abc 50 0 0 20 0 1 0 8 1 1")}) {
    EXPECT_FALSE(ParseProcessStat(self, kProcStat, 100, 4096).ok()) << self;
  }
  EXPECT_FALSE(ParseProcessStat(kSelfStat, "cpu 1\n", 100, 4096).ok());
  EXPECT_FALSE(ParseProcessStat(kSelfStat, "x\nbtime soon\n", 100, 4096).ok());
  // Every truncation of a valid file either parses or fails cleanly.
  for (size_t n = 0; n < kSelfStat.size(); ++n) {
    (void)ParseProcessStat(kSelfStat.substr(0, n), kProcStat, 100, 4096);
  }
}

TEST(ProcessCollectorTest, CollectsThisProcessIntoTheAppender) {
  auto c = MakeProcessCollector();
  testing::RecordingAppender out;
  ASSERT_TRUE(c->Collect(CollectContext{}, out).ok());
  EXPECT_TRUE(out.NamesWithoutMetadata().empty());
  for (const char* name : {"process_cpu_seconds_total", "process_open_fds", "process_max_fds",
                           "process_virtual_memory_bytes", "process_virtual_memory_max_bytes",
                           "process_resident_memory_bytes", "process_start_time_seconds"}) {
    auto v = out.Value(Labels{{"__name__", name}});
    ASSERT_TRUE(v.has_value()) << name;
    EXPECT_GE(*v, 0) << name;  // a fresh test process may not have used a CPU tick yet
  }
  EXPECT_GT(*out.Value(Labels{{"__name__", "process_resident_memory_bytes"}}), 0);
  EXPECT_GT(*out.Value(Labels{{"__name__", "process_open_fds"}}), 0);
  EXPECT_GT(*out.Value(Labels{{"__name__", "process_start_time_seconds"}}), 1e9);
}

}  // namespace
}  // namespace tocsin
