// Unit tests of the network parts' parsers (netstat, sockstat, softnet, netclass, arp,
// conntrack, udp_queues): values, names, node_exporter 1.5 edge cases, and malformed input.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "agent/config/system_collector_config.h"
#include "collectors/system/arp.h"
#include "collectors/system/conntrack.h"
#include "collectors/system/go_strconv.h"
#include "collectors/system/netclass.h"
#include "collectors/system/netstat.h"
#include "collectors/system/sockstat.h"
#include "collectors/system/softnet.h"
#include "collectors/system/udp_queues.h"
#include "tests/collectors/system/golden.h"
#include "tests/fakes/recording_appender.h"

namespace tocsin::system {
namespace {

using tocsin::testing::RecordingAppender;

Regex Unanchored(const std::string& re) {
  return std::move(Regex::Compile(re, Regex::Anchoring::kNone)).value();
}

RecordingAppender Flush(SampleSink& sink) {
  RecordingAppender out;
  EXPECT_TRUE(sink.FlushTo(out).ok());
  return out;
}

std::optional<double> Value(const RecordingAppender& out, std::initializer_list<Label> labels) {
  return out.Value(Labels(labels));
}

TEST(SystemGoStrconvTest, ParseIntAndUintLikeGo) {
  EXPECT_EQ(GoParseInt("0x1003", 0), 4099);
  EXPECT_EQ(GoParseInt("-1", 0), -1);
  EXPECT_EQ(GoParseInt("010", 0), 8);  // leading 0: octal
  EXPECT_EQ(GoParseInt("0b101", 0), 5);
  EXPECT_EQ(GoParseInt("1_000", 0), 1000);
  EXPECT_FALSE(GoParseInt("1__0", 0));
  EXPECT_FALSE(GoParseInt("_1", 0));
  EXPECT_FALSE(GoParseInt("1_000", 10));
  EXPECT_FALSE(GoParseInt("", 0));
  EXPECT_FALSE(GoParseInt("-", 0));
  EXPECT_FALSE(GoParseInt("9223372036854775808", 0));
  EXPECT_EQ(GoParseInt("-9223372036854775808", 0), INT64_MIN);
  EXPECT_FALSE(GoParseInt("12a", 10));
  EXPECT_EQ(GoParseUint("ffffffff", 16, 32), 0xffffffffu);
  EXPECT_FALSE(GoParseUint("100000000", 16, 32));
  EXPECT_FALSE(GoParseUint("0x10", 16));  // no prefix with an explicit base
  EXPECT_FALSE(GoParseUint("-1", 10));
  EXPECT_EQ(GoParseUint("18446744073709551615", 10), UINT64_MAX);
  EXPECT_FALSE(GoParseUint("18446744073709551616", 10));
  EXPECT_EQ(GoTrimSpace(" \t1\n\v"), "1");
}

constexpr std::string_view kNetstat =
    "TcpExt: SyncookiesSent ListenDrops TCPTimeouts TCPOFOQueue\n"
    "TcpExt: 1 2 3 4\n"
    "IpExt: InOctets OutOctets InNoRoutes\n"
    "IpExt: 102036096 42374423 7\n";
constexpr std::string_view kSnmp =
    "Ip: Forwarding DefaultTTL InReceives\n"
    "Ip: 2 64 1000\n"
    "Tcp: RtoAlgorithm MaxConn CurrEstab InErrs\n"
    "Tcp: 1 -1 2 0\n"
    "Udp: InDatagrams InErrors\n"
    "Udp: 1042 5\n";
const std::string kSnmp6 =
    "Ip6InReceives                   \t3\n"
    "Ip6InOctets                     \t128\n"
    "Icmp6InErrors                   \t1\n"
    "Icmp6InType133                  \t2\n"
    "Udp6InDatagrams                 \t4\n"
    "UdpLite6InErrors                \t0\n";

TEST(SystemParseNetstatTest, DefaultFieldsNamesAndHelp) {
  SampleSink sink;
  Regex fields = Unanchored(SystemCollectorConfig{}.netstat_fields);
  ASSERT_TRUE(ParseNetstat(kNetstat, kSnmp, &kSnmp6, fields, sink).ok());
  RecordingAppender out = Flush(sink);
  EXPECT_EQ(out.Render(),
            "# HELP node_netstat_Icmp6_InErrors Statistic Icmp6InErrors.\n"
            "# TYPE node_netstat_Icmp6_InErrors untyped\n"
            "node_netstat_Icmp6_InErrors 1\n"
            "# HELP node_netstat_Ip6_InOctets Statistic Ip6InOctets.\n"
            "# TYPE node_netstat_Ip6_InOctets untyped\n"
            "node_netstat_Ip6_InOctets 128\n"
            "# HELP node_netstat_IpExt_InOctets Statistic IpExtInOctets.\n"
            "# TYPE node_netstat_IpExt_InOctets untyped\n"
            "node_netstat_IpExt_InOctets 1.02036096e+08\n"
            "# HELP node_netstat_IpExt_OutOctets Statistic IpExtOutOctets.\n"
            "# TYPE node_netstat_IpExt_OutOctets untyped\n"
            "node_netstat_IpExt_OutOctets 4.2374423e+07\n"
            "# HELP node_netstat_Ip_Forwarding Statistic IpForwarding.\n"
            "# TYPE node_netstat_Ip_Forwarding untyped\n"
            "node_netstat_Ip_Forwarding 2\n"
            "# HELP node_netstat_TcpExt_ListenDrops Statistic TcpExtListenDrops.\n"
            "# TYPE node_netstat_TcpExt_ListenDrops untyped\n"
            "node_netstat_TcpExt_ListenDrops 2\n"
            "# HELP node_netstat_TcpExt_SyncookiesSent Statistic TcpExtSyncookiesSent.\n"
            "# TYPE node_netstat_TcpExt_SyncookiesSent untyped\n"
            "node_netstat_TcpExt_SyncookiesSent 1\n"
            "# HELP node_netstat_TcpExt_TCPTimeouts Statistic TcpExtTCPTimeouts.\n"
            "# TYPE node_netstat_TcpExt_TCPTimeouts untyped\n"
            "node_netstat_TcpExt_TCPTimeouts 3\n"
            "# HELP node_netstat_Tcp_CurrEstab Statistic TcpCurrEstab.\n"
            "# TYPE node_netstat_Tcp_CurrEstab untyped\n"
            "node_netstat_Tcp_CurrEstab 2\n"
            "# HELP node_netstat_Tcp_InErrs Statistic TcpInErrs.\n"
            "# TYPE node_netstat_Tcp_InErrs untyped\n"
            "node_netstat_Tcp_InErrs 0\n"
            "# HELP node_netstat_Udp6_InDatagrams Statistic Udp6InDatagrams.\n"
            "# TYPE node_netstat_Udp6_InDatagrams untyped\n"
            "node_netstat_Udp6_InDatagrams 4\n"
            "# HELP node_netstat_UdpLite6_InErrors Statistic UdpLite6InErrors.\n"
            "# TYPE node_netstat_UdpLite6_InErrors untyped\n"
            "node_netstat_UdpLite6_InErrors 0\n"
            "# HELP node_netstat_Udp_InDatagrams Statistic UdpInDatagrams.\n"
            "# TYPE node_netstat_Udp_InDatagrams untyped\n"
            "node_netstat_Udp_InDatagrams 1042\n"
            "# HELP node_netstat_Udp_InErrors Statistic UdpInErrors.\n"
            "# TYPE node_netstat_Udp_InErrors untyped\n"
            "node_netstat_Udp_InErrors 5\n");
  // Without snmp6 (IPv6 disabled) the IPv4 series stay; every field with ".*".
  SampleSink all;
  ASSERT_TRUE(ParseNetstat(kNetstat, kSnmp, nullptr, Unanchored(".*"), all).ok());
  RecordingAppender every = Flush(all);
  EXPECT_EQ(every.samples().size(), 16u);
  EXPECT_EQ(Value(every, {{"__name__", "node_netstat_Tcp_MaxConn"}}), -1);
  EXPECT_EQ(Value(every, {{"__name__", "node_netstat_TcpExt_TCPOFOQueue"}}), 4);
}

TEST(SystemParseNetstatTest, MalformedInputFails) {
  Regex fields = Unanchored(".*");
  SampleSink sink;
  // Header/value field counts differ (truncated value line).
  EXPECT_FALSE(ParseNetstat("TcpExt: A B\nTcpExt: 1\n", kSnmp, nullptr, fields, sink).ok());
  // A header without its value line.
  EXPECT_FALSE(ParseNetstat("TcpExt: A B\n", kSnmp, nullptr, fields, sink).ok());
  // Non-numeric values fail even when the pattern would drop them, as in node_exporter.
  EXPECT_FALSE(
      ParseNetstat("TcpExt: A B\nTcpExt: 1 x\n", kSnmp, nullptr, Unanchored("^$"), sink).ok());
  const std::string bad6 = "Ip6InOctets 12z\n";
  EXPECT_FALSE(ParseNetstat(kNetstat, kSnmp, &bad6, fields, sink).ok());
  // Blank line / missing protocol colon.
  EXPECT_FALSE(ParseNetstat("\nTcpExt: 1\n", kSnmp, nullptr, fields, sink).ok());
  EXPECT_FALSE(ParseNetstat("TcpExt A\nTcpExt 1\n", kSnmp, nullptr, fields, sink).ok());
  // Value line from another protocol.
  EXPECT_FALSE(ParseNetstat("TcpExt: A\nIpExt: 1\n", kSnmp, nullptr, fields, sink).ok());
  // Double spaces give empty values, which node_exporter rejects too.
  EXPECT_FALSE(ParseNetstat("TcpExt: A  B\nTcpExt: 1  3\n", kSnmp, nullptr, fields, sink).ok());
}

TEST(SystemParseSockstatTest, MemBytesAndUsed) {
  SampleSink sink;
  ASSERT_TRUE(ParseSockstat("sockets: used 229\nTCP: inuse 14 orphan 0 tw 31 alloc 18 mem 12\n"
                            "UDP: inuse 5 mem 3\nFRAG: inuse 0 memory 0\n",
                            false, 4096, sink)
                  .ok());
  ASSERT_TRUE(
      ParseSockstat("sockets: used 7\nTCP6: inuse 6\nFRAG6: memory 5\n", true, 4096, sink).ok());
  RecordingAppender out = Flush(sink);
  EXPECT_EQ(Value(out, {{"__name__", "node_sockstat_sockets_used"}}), 229);
  EXPECT_EQ(out.Series("node_sockstat_sockets_used").size(), 1u);  // not from sockstat6
  EXPECT_EQ(Value(out, {{"__name__", "node_sockstat_TCP_mem"}}), 12);
  EXPECT_EQ(Value(out, {{"__name__", "node_sockstat_TCP_mem_bytes"}}), 12 * 4096);
  EXPECT_EQ(Value(out, {{"__name__", "node_sockstat_UDP_mem_bytes"}}), 3 * 4096);
  EXPECT_EQ(Value(out, {{"__name__", "node_sockstat_TCP_tw"}}), 31);
  EXPECT_EQ(Value(out, {{"__name__", "node_sockstat_TCP6_inuse"}}), 6);
  EXPECT_EQ(Value(out, {{"__name__", "node_sockstat_FRAG6_inuse"}}), 0);  // always exported
  EXPECT_EQ(Value(out, {{"__name__", "node_sockstat_FRAG_memory"}}), 0);
  EXPECT_FALSE(Value(out, {{"__name__", "node_sockstat_FRAG_mem_bytes"}}));
  EXPECT_FALSE(Value(out, {{"__name__", "node_sockstat_UDP_orphan"}}));
  EXPECT_NE(out.Render().find("# HELP node_sockstat_TCP_mem_bytes Number of TCP sockets in state "
                              "mem_bytes.\n# TYPE node_sockstat_TCP_mem_bytes gauge\n"),
            std::string::npos);

  SampleSink bad;
  EXPECT_FALSE(ParseSockstat("TCP: inuse\n", false, 4096, bad).ok());       // truncated
  EXPECT_FALSE(ParseSockstat("TCP: inuse 1 tw\n", false, 4096, bad).ok());  // odd pairs
  EXPECT_FALSE(ParseSockstat("TCP: inuse x\n", false, 4096, bad).ok());
  EXPECT_FALSE(ParseSockstat("TCP: inuse 1\n\n", false, 4096, bad).ok());  // blank line
  EXPECT_FALSE(ParseSockstat("TCP: inuse 1\nTCP: inuse 2\n", false, 4096, bad).ok());
}

TEST(SystemParseSoftnetTest, HexColumnsAndCpuIndex) {
  SampleSink sink;
  ASSERT_TRUE(ParseSoftnet("0023f8a1 00000000 0000001b 0 0 0 0 0 0 0 0\n"
                           "001e2c47 00000002 00000009 0 0 0 0 0 0 0 0 0 1 0 0\n",
                           sink)
                  .ok());
  RecordingAppender out = Flush(sink);
  EXPECT_EQ(Value(out, {{"__name__", "node_softnet_processed_total"}, {"cpu", "0"}}), 0x23f8a1);
  EXPECT_EQ(Value(out, {{"__name__", "node_softnet_dropped_total"}, {"cpu", "1"}}), 2);
  EXPECT_EQ(Value(out, {{"__name__", "node_softnet_times_squeezed_total"}, {"cpu", "1"}}), 9);
  EXPECT_NE(out.Render().find("# HELP node_softnet_processed_total Number of processed packets\n"
                              "# TYPE node_softnet_processed_total counter\n"),
            std::string::npos);
  SampleSink bad;
  EXPECT_FALSE(ParseSoftnet("0023f8a1 00000000 0000001b 0 0\n", bad).ok());  // < 9 columns
  EXPECT_FALSE(ParseSoftnet("0023f8g1 00000000 0000001b 0 0 0 0 0 0\n", bad).ok());
  EXPECT_FALSE(ParseSoftnet("100000000 0 0 0 0 0 0 0 0\n", bad).ok());  // > 32 bits
  EXPECT_FALSE(ParseSoftnet("1 0 0 0 0 0 0 0 0\n\n", bad).ok());        // blank line
  SampleSink empty;
  EXPECT_TRUE(ParseSoftnet("", empty).ok());
}

constexpr std::string_view kArp =
    "IP address       HW type     Flags       HW address            Mask     Device\n"
    "192.0.2.1        0x1         0x2         02:fc:00:00:00:05     *        eth0\n"
    "192.0.2.17       0x1         0x2         52:54:00:12:34:56     *        eth0\n"
    "10.88.0.2        0x1         0x0         00:00:00:00:00:00     *        cni0\n";

TEST(SystemParseArpTest, CountsPerDeviceAndFilters) {
  SampleSink sink;
  ASSERT_TRUE(ParseArp(kArp, nullptr, nullptr, sink).ok());
  RecordingAppender out = Flush(sink);
  EXPECT_EQ(Value(out, {{"__name__", "node_arp_entries"}, {"device", "eth0"}}), 2);
  EXPECT_EQ(Value(out, {{"__name__", "node_arp_entries"}, {"device", "cni0"}}), 1);
  Regex cni = Unanchored("^cni");
  SampleSink excluded;
  ASSERT_TRUE(ParseArp(kArp, nullptr, &cni, excluded).ok());
  EXPECT_EQ(Flush(excluded).Series("node_arp_entries").size(), 1u);
  SampleSink included;
  ASSERT_TRUE(ParseArp(kArp, &cni, nullptr, included).ok());
  RecordingAppender inc = Flush(included);
  ASSERT_EQ(inc.Series("node_arp_entries").size(), 1u);
  EXPECT_EQ(inc.Series("node_arp_entries")[0].labels.Get("device"), "cni0");
  SampleSink bad;
  EXPECT_FALSE(ParseArp(std::string(kArp) + "192.0.2.9 0x1 0x2\n", nullptr, nullptr, bad).ok());
  EXPECT_FALSE(ParseArp(std::string(kArp) + "\n", nullptr, nullptr, bad).ok());
}

constexpr std::string_view kConntrackHeader =
    "entries  clashres found new invalid ignore delete chainlength insert insert_failed drop "
    "early_drop icmp_error  expect_new expect_create expect_delete search_restart\n";

TEST(SystemParseConntrackStatTest, SumsPerCpuLines) {
  SampleSink sink;
  ASSERT_TRUE(ParseConntrackStat(
                  std::string(kConntrackHeader) +
                      "000006c6  00000000 0000002a 00000000 00000115 00003a2f 00000000 00000000 "
                      "00000000 00000001 00000000 00000000 00000003  00000000 00000000 00000000 "
                      "00000004\n"
                      "000006c6  00000001 00000010 00000000 0000000b 00001b20 00000000 00000000 "
                      "00000005 00000000 00000002 00000007 00000000  00000000 00000000 00000000 "
                      "00000001\n",
                  sink)
                  .ok());
  RecordingAppender out = Flush(sink);
  EXPECT_EQ(Value(out, {{"__name__", "node_nf_conntrack_stat_found"}}), 0x2a + 0x10);
  EXPECT_EQ(Value(out, {{"__name__", "node_nf_conntrack_stat_invalid"}}), 0x115 + 0xb);
  EXPECT_EQ(Value(out, {{"__name__", "node_nf_conntrack_stat_ignore"}}), 0x3a2f + 0x1b20);
  EXPECT_EQ(Value(out, {{"__name__", "node_nf_conntrack_stat_insert"}}), 5);
  EXPECT_EQ(Value(out, {{"__name__", "node_nf_conntrack_stat_insert_failed"}}), 1);
  EXPECT_EQ(Value(out, {{"__name__", "node_nf_conntrack_stat_drop"}}), 2);
  EXPECT_EQ(Value(out, {{"__name__", "node_nf_conntrack_stat_early_drop"}}), 7);
  EXPECT_EQ(Value(out, {{"__name__", "node_nf_conntrack_stat_search_restart"}}), 5);
  SampleSink bad;
  EXPECT_FALSE(
      ParseConntrackStat(std::string(kConntrackHeader) + "000006c6 00000000 0000002a\n", bad).ok());
  EXPECT_FALSE(ParseConntrackStat(
                   std::string(kConntrackHeader) + "0 0 zz 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n", bad)
                   .ok());
}

TEST(SystemParseUdpQueuesTest, SumsQueuesAndChecksLines) {
  const std::string header =
      "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
      "timeout inode ref pointer drops\n";
  Result<UdpQueueSummary> sum = ParseUdpQueues(
      header +
      "  417: 3500007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000   991  "
      "      0 21839 2 0000000000000000 0\n"
      " 1202: 00000000:1FBD 00000000:0000 07 00000100:00000A00 00:00000000 00000000   112  "
      "      0 31337 2 0000000000000000 0\n");
  ASSERT_TRUE(sum.ok()) << sum.status().ToString();
  EXPECT_EQ(sum->tx, 0x100u);
  EXPECT_EQ(sum->rx, 0xa00u);
  EXPECT_EQ(sum->sockets, 2u);
  Result<UdpQueueSummary> v6 = ParseUdpQueues(
      "  sl  local_address                         remote_address   st ...\n"
      "  561: 00000000000000000000000000000000:0222 00000000000000000000000000000000:0000 07 "
      "00000000:00000200 00:00000000 00000000     0        0 18817 2 0000000000000000 0\n");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->rx, 0x200u);
  const char* bad_lines[] = {
      "  417: 3500007F:0035 00000000:0000 07 00000000:00000000 00:00000000\n",  // truncated
      "  417: 3500007F:0035 00000000:0000 07 00000000 00:00000000 00000000 991 0 1 2 0 0\n",
      "  417: 3500007F:0035 00000000:0000 07 0000000x:00000000 00:00000000 00000000 991 0 1\n",
      "  417: 3500ZZ7F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000 991 0 1\n",
      "  417: 3500007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000 x 0 1\n",
      "  x17: 3500007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000 9 0 1\n",
  };
  for (const char* line : bad_lines) {
    EXPECT_FALSE(ParseUdpQueues(header + line).ok()) << line;
  }
  EXPECT_TRUE(ParseUdpQueues("").ok());  // no header, no sockets
}

// A sysfs class/net tree in a temp dir.
class NetClassTree : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = ::testing::TempDir() + "/tocsin-netclass-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_ + "/class/net");
  }
  void Write(const std::string& rel, const std::string& text) {
    std::filesystem::path p = root_ + "/class/net/" + rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << text;
  }
  std::string root_;
};

TEST_F(NetClassTree, AttributesValuesAndSkips) {
  Write("bonding_masters", "bond0\n");  // a regular file: not a device
  Write("eth0/operstate", "up\n");
  Write("eth0/address", "02:fc:00:00:00:01\n");
  Write("eth0/flags", "0x1003\n");
  Write("eth0/speed", "-1\n");
  Write("eth0/mtu", "not a number\n");  // procfs 0.8 hands back 0
  Write("eth0/carrier_changes", "2\n");
  Write("eth0/ifalias", std::string(200, 'a') + "\n");  // one 128-byte read
  Write("eth0/uevent", "INTERFACE=eth0\n");
  Write("veth1/operstate", "down\n");
  Write("veth2/operstate", "up\n");
  SampleSink sink;
  ASSERT_TRUE(ReadNetClass(root_, Unanchored("^veth2$"), sink).ok());
  RecordingAppender out = Flush(sink);
  EXPECT_EQ(Value(out, {{"__name__", "node_network_up"}, {"device", "eth0"}}), 1);
  EXPECT_EQ(Value(out, {{"__name__", "node_network_up"}, {"device", "veth1"}}), 0);
  EXPECT_TRUE(out.Series("node_network_up").size() == 2);  // veth2 ignored, no bonding_masters
  EXPECT_EQ(Value(out, {{"__name__", "node_network_flags"}, {"device", "eth0"}}), 4099);
  EXPECT_EQ(Value(out, {{"__name__", "node_network_speed_bytes"}, {"device", "eth0"}}), -125000);
  EXPECT_EQ(Value(out, {{"__name__", "node_network_mtu_bytes"}, {"device", "eth0"}}), 0);
  EXPECT_EQ(Value(out, {{"__name__", "node_network_carrier_changes_total"}, {"device", "eth0"}}),
            2);
  EXPECT_FALSE(Value(out, {{"__name__", "node_network_carrier"}, {"device", "eth0"}}));
  EXPECT_TRUE(Value(out, {{"__name__", "node_network_info"},
                          {"device", "eth0"},
                          {"address", "02:fc:00:00:00:01"},
                          {"operstate", "up"},
                          {"ifalias", std::string(128, 'a')}}));
  EXPECT_NE(out.Render().find("# HELP node_network_carrier_changes_total Network device "
                              "property: carrier_changes_total\n"
                              "# TYPE node_network_carrier_changes_total counter\n"),
            std::string::npos);
}

TEST_F(NetClassTree, ErrorsFailThePart) {
  SampleSink sink;
  EXPECT_EQ(ReadNetClass(root_ + "/missing", Unanchored("^$"), sink).code(), StatusCode::kNotFound);
  // A device entry that is not readable as a directory (a dangling link) fails the part.
  std::filesystem::create_symlink(root_ + "/nowhere", root_ + "/class/net/dangling0");
  EXPECT_FALSE(ReadNetClass(root_, Unanchored("^$"), sink).ok());
  SampleSink ignored;
  EXPECT_TRUE(ReadNetClass(root_, Unanchored("^dangling"), ignored).ok());
  // The errnos procfs skips, and one it does not.
  for (int err : {ENOENT, EACCES, EPERM, EOPNOTSUPP, EINVAL}) {
    EXPECT_TRUE(NetClassSkippableReadError(err)) << err;
  }
  EXPECT_FALSE(NetClassSkippableReadError(EIO));
  EXPECT_FALSE(NetClassSkippableReadError(ENODEV));
}

// Every prefix and random byte flip of the network fixtures must parse or fail cleanly.
TEST(SystemNetParsersRobustness, TruncatedAndCorruptedFixtures) {
  std::string dir = tocsin::testing::SystemFixtureDir("v2") + "/proc/net/";
  Regex all = Unanchored(".*");
  std::mt19937 rng(7);
  for (const char* name : {"netstat", "snmp", "snmp6", "sockstat", "softnet_stat", "arp",
                           "stat/nf_conntrack", "udp", "udp6"}) {
    std::string original = tocsin::testing::ReadFileOrEmpty(dir + name);
    ASSERT_FALSE(original.empty()) << name;
    auto parse_all = [&](const std::string& text) {
      SampleSink sink;
      (void)ParseNetstat(text, text, &text, all, sink);
      (void)ParseSockstat(text, false, 4096, sink);
      (void)ParseSoftnet(text, sink);
      (void)ParseArp(text, nullptr, &all, sink);
      (void)ParseConntrackStat(text, sink);
      (void)ParseUdpQueues(text);
    };
    for (size_t len = 0; len <= original.size(); len += 5) parse_all(original.substr(0, len));
    for (int i = 0; i < 200; ++i) {
      std::string s = original;
      for (int k = 0; k < 4; ++k) s[rng() % s.size()] = static_cast<char>(rng() % 256);
      parse_all(s);
    }
  }
}

}  // namespace
}  // namespace tocsin::system
