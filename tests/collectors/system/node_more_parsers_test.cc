// Unit tests of the dmi, bonding, nfs, nfsd, xfs and ipvs parts: node_exporter 1.5 / procfs
// 0.8 naming, value counts and error rules, and malformed or missing input (never a crash).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "collectors/system/bonding.h"
#include "collectors/system/dmi.h"
#include "collectors/system/ipvs.h"
#include "collectors/system/nfs.h"
#include "collectors/system/nfsd.h"
#include "collectors/system/xfs.h"
#include "tests/fakes/recording_appender.h"

namespace tocsin::system {
namespace {

using tocsin::testing::RecordingAppender;

RecordingAppender Flush(SampleSink& sink) {
  RecordingAppender out;
  EXPECT_TRUE(sink.FlushTo(out).ok());
  return out;
}

std::optional<double> Value(const RecordingAppender& out, std::initializer_list<Label> labels) {
  return out.Value(Labels(labels));
}

class Tree : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = ::testing::TempDir() + "/tocsin-more-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_);
  }
  void Write(const std::string& rel, const std::string& text) {
    std::filesystem::path p = root_ + "/" + rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
  }
  std::string root_;
};

TEST_F(Tree, DmiLabelsFromRegularFilesOnly) {
  Write("class/dmi/id/bios_vendor", "SeaBIOS\n");
  Write("class/dmi/id/sys_vendor", "Acme \xff\xfe Corp\n");  // invalid UTF-8
  Write("class/dmi/id/chassis_type", "1\n");                 // read, not exported
  Write("class/dmi/id/modalias", "dmi:x\n");
  Write("class/dmi/id/power/bios_date", "not a file of id/\n");
  SampleSink sink;
  ASSERT_TRUE(ReadDmi(root_, sink).ok());
  RecordingAppender out = Flush(sink);
  EXPECT_EQ(Value(out, {{"__name__", "node_dmi_info"},
                        {"bios_vendor", "SeaBIOS"},
                        {"system_vendor", "Acme \xEF\xBF\xBD Corp"}}),
            1);
  EXPECT_EQ(out.samples().size(), 1u);
}

TEST_F(Tree, DmiWithoutDirectoryOrLabelsIsNoData) {
  SampleSink sink;
  EXPECT_FALSE(ReadDmi(root_, sink).ok());
  Write("class/dmi/id/chassis_type", "1\n");
  EXPECT_EQ(ReadDmi(root_, sink).code(), StatusCode::kNotFound);
  EXPECT_EQ(sink.sample_count(), 0u);
}

TEST_F(Tree, BondingCountsSlavesAndActiveOnes) {
  Write("class/net/bonding_masters", "bond0 bond1\n");
  Write("class/net/bond0/bonding/slaves", "eth0 eth1 eth2\n");
  Write("class/net/bond0/lower_eth0/bonding_slave/mii_status", "up\n");
  Write("class/net/bond0/lower_eth1/bonding_slave/mii_status", "down\n");
  Write("class/net/bond0/slave_eth2/bonding_slave/mii_status", " up \n");  // older kernels
  Write("class/net/bond1/bonding/slaves", "\n");
  SampleSink sink;
  ASSERT_TRUE(ReadBonding(root_, sink).ok());
  RecordingAppender out = Flush(sink);
  EXPECT_EQ(Value(out, {{"__name__", "node_bonding_slaves"}, {"master", "bond0"}}), 3);
  EXPECT_EQ(Value(out, {{"__name__", "node_bonding_active"}, {"master", "bond0"}}), 2);
  EXPECT_EQ(Value(out, {{"__name__", "node_bonding_slaves"}, {"master", "bond1"}}), 0);
  EXPECT_EQ(Value(out, {{"__name__", "node_bonding_active"}, {"master", "bond1"}}), 0);
}

TEST_F(Tree, BondingErrors) {
  SampleSink sink;
  EXPECT_EQ(ReadBonding(root_, sink).code(), StatusCode::kNotFound);  // no bonding module
  Write("class/net/bonding_masters", "bond0\n");
  Write("class/net/bond0/bonding/slaves", "eth0\n");  // no mii_status under either prefix
  EXPECT_FALSE(ReadBonding(root_, sink).ok());
  EXPECT_EQ(sink.sample_count(), 0u);
}

TEST(SystemNfsTest, ClientStatsAndShortV4Line) {
  SampleSink sink;
  ASSERT_TRUE(ParseNfsClient("net 70 71 72 73\nrpc 10 11 12\n"
                             "proc4 3 5 6 7\n",
                             sink)
                  .ok());
  RecordingAppender out = Flush(sink);
  EXPECT_EQ(Value(out, {{"__name__", "node_nfs_packets_total"}, {"protocol", "udp"}}), 71);
  EXPECT_EQ(Value(out, {{"__name__", "node_nfs_packets_total"}, {"protocol", "tcp"}}), 72);
  EXPECT_EQ(Value(out, {{"__name__", "node_nfs_connections_total"}}), 73);
  EXPECT_EQ(Value(out, {{"__name__", "node_nfs_rpc_authentication_refreshes_total"}}), 12);
  auto req = [&](const char* proto, const char* method) {
    return Value(out,
                 {{"__name__", "node_nfs_requests_total"}, {"proto", proto}, {"method", method}});
  };
  EXPECT_EQ(req("4", "Null"), 5);
  EXPECT_EQ(req("4", "Write"), 7);
  EXPECT_EQ(req("4", "Clone"), 0);   // padded
  EXPECT_EQ(req("2", "FsStat"), 0);  // absent line: zeros, as procfs
  EXPECT_EQ(req("3", "Commit"), 0);
  EXPECT_EQ(out.Series("node_nfs_requests_total").size(), 18u + 22u + 59u);
}

TEST(SystemNfsTest, MalformedClientStatsFail) {
  for (const char* bad : {"net 1 2 3 4\n\nrpc 1 2 3\n",  // an empty line
                          "net 1 2 3\n", "rpc 1 2 3 4\n", "xprt 1 2\n", "net 1 2 x 4\n",
                          "net -1 2 3 4\n", "proc3 22 1 2\n",
                          "proc2 3 1 2 3\n",  // fewer than 18 procedures
                          "proc4 5 1 2\n", "net\n"}) {
    SampleSink sink;
    EXPECT_FALSE(ParseNfsClient(bad, sink).ok()) << bad;
    EXPECT_EQ(sink.sample_count(), 0u) << bad;
  }
}

TEST(SystemNfsdTest, ServerStats) {
  SampleSink sink;
  ASSERT_TRUE(ParseNfsd("rc 1 2 3\nfh 4 0 0 0 0\nio 5 6\nth 7 8 0.000 0.100\n"
                        "ra 32 0 0 0 0 0 0 0 0 0 0 9\nnet 10 11 12 13\nrpc 14 15 16 17 18\n"
                        "proc4 2 2 10853\n",
                        sink)
                  .ok());
  RecordingAppender out = Flush(sink);
  EXPECT_EQ(Value(out, {{"__name__", "node_nfsd_reply_cache_nocache_total"}}), 3);
  EXPECT_EQ(Value(out, {{"__name__", "node_nfsd_file_handles_stale_total"}}), 4);
  EXPECT_EQ(Value(out, {{"__name__", "node_nfsd_disk_bytes_written_total"}}), 6);
  EXPECT_EQ(Value(out, {{"__name__", "node_nfsd_server_threads"}}), 7);
  EXPECT_EQ(Value(out, {{"__name__", "node_nfsd_read_ahead_cache_size_blocks"}}), 32);
  EXPECT_EQ(Value(out, {{"__name__", "node_nfsd_read_ahead_cache_not_found_total"}}), 9);
  EXPECT_EQ(Value(out, {{"__name__", "node_nfsd_packets_total"}, {"proto", "tcp"}}), 12);
  EXPECT_EQ(Value(out, {{"__name__", "node_nfsd_connections_total"}}), 13);
  EXPECT_EQ(Value(out, {{"__name__", "node_nfsd_server_rpcs_total"}}), 14);
  EXPECT_EQ(Value(out, {{"__name__", "node_nfsd_rpc_errors_total"}, {"error", "fmt"}}), 16);
  EXPECT_EQ(Value(out, {{"__name__", "node_nfsd_rpc_errors_total"}, {"error", "cInt"}}), 18);
  EXPECT_EQ(out.Series("node_nfsd_requests_total").size(), 17u + 21u + 33u);
}

TEST(SystemNfsdTest, MalformedServerStatsFail) {
  for (const char* bad : {"th 8\n", "th 8 x 0.000\n", "rc 1 2\n", "fh 1 2 3 4\n", "ra 32 0 0\n",
                          "proc4 3 1 2 3\n", "proc4ops 3 1 2 3\n", "bogus 1\n", "io 1 2.5\n"}) {
    SampleSink sink;
    EXPECT_FALSE(ParseNfsd(bad, sink).ok()) << bad;
    EXPECT_EQ(sink.sample_count(), 0u) << bad;
  }
}

TEST(SystemXfsTest, StatsLikeProcfs) {
  SampleSink sink;
  ASSERT_TRUE(ParseXfsStats("extent_alloc 1 2 3 4\nrw 10 20\nvnodes 1 2 3 4 5 6 7\n"
                            "solo\nrmapbt 1 2\nxpc 18446744073709551615 0 0\n",
                            "sdb1", sink)
                  .ok());
  RecordingAppender out = Flush(sink);
  auto v = [&](const std::string& name) {
    return Value(out, {{"__name__", "node_xfs_" + name}, {"device", "sdb1"}});
  };
  EXPECT_EQ(v("extent_allocation_blocks_freed_total"), 4);
  EXPECT_EQ(v("write_calls_total"), 10);  // procfs: write first
  EXPECT_EQ(v("read_calls_total"), 20);
  EXPECT_EQ(v("vnode_remove_total"), 7);
  EXPECT_EQ(v("inode_operation_found_total"), 0);  // absent line
  EXPECT_EQ(out.samples().size(), 39u);
}

TEST(SystemXfsTest, MalformedStatsFail) {
  for (const char* bad : {"abt 1 2 3\n", "rw 4294967296 1\n", "rmapbt 1 x\n", "vnodes 1 2 3\n",
                          "xpc 1 2\n", "qm 1 2 3 4 5 6 7 8 9 10\n", "dir -1 0 0 0\n"}) {
    SampleSink sink;
    EXPECT_FALSE(ParseXfsStats(bad, "sdb1", sink).ok()) << bad;
    EXPECT_EQ(sink.sample_count(), 0u) << bad;
  }
}

TEST_F(Tree, XfsDevicesAndNoXfs) {
  SampleSink sink;
  ASSERT_TRUE(ReadXfs(root_, sink).ok());  // no fs/xfs: an empty glob
  EXPECT_EQ(sink.sample_count(), 0u);
  Write("fs/xfs/stats/stats", "rw 1 1\n");  // the global file, not a device
  Write("fs/xfs/dm-0/stats/stats", "rw 3 4\n");
  Write("fs/xfs/dm-1/error/x", "");  // no stats file
  ASSERT_TRUE(ReadXfs(root_, sink).ok());
  RecordingAppender out = Flush(sink);
  EXPECT_EQ(Value(out, {{"__name__", "node_xfs_read_calls_total"}, {"device", "dm-0"}}), 4);
  EXPECT_EQ(out.samples().size(), 39u);
}

TEST(SystemIpvsTest, GoIpStrings) {
  auto v6 = [](std::initializer_list<int> bytes) {
    unsigned char b[16];
    size_t i = 0;
    for (int x : bytes) b[i++] = static_cast<unsigned char>(x);
    return GoIpString(b, 16);
  };
  EXPECT_EQ(v6({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}), "2001:db8::1");
  EXPECT_EQ(v6({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1}),
            "2001:db8:0:1:0:1:0:1");
  EXPECT_EQ(v6({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}), "::");
  EXPECT_EQ(v6({0, 1, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0}), "1:0:0:2::");
  EXPECT_EQ(v6({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1}), "10.0.0.1");
  EXPECT_EQ(v6({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4}), "::102:304");
}

TEST(SystemIpvsTest, BackendLabelsLikeParseIpvsLabels) {
  EXPECT_EQ(*ParseIpvsLabels("proto,,local_port"),
            (std::vector<std::string>{"local_port", "proto"}));
  EXPECT_TRUE(ParseIpvsLabels("")->empty());
  Result<std::vector<std::string>> bad = ParseIpvsLabels("zone,proto,app");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("app, zone"), std::string::npos);
}

TEST(SystemIpvsTest, BackendsSummedOverSelectedLabels) {
  constexpr std::string_view kText =
      "IP Virtual Server version 1.2.1 (size=4096)\n"
      "Prot LocalAddress:Port Scheduler Flags\n"
      "  -> RemoteAddress:Port Forward Weight ActiveConn InActConn\n"
      "TCP  0A000001:01BB rr\n"
      "  -> 0A000102:2328      Masq    1      12         3\n"
      "  -> 0A000103:2328      Masq    2      7          1\n"
      "  -> short\n"
      "FWM  42 wlc\n"
      "  -> 0A000105:0CEA      Route   10     100        20\n";
  SampleSink sink;
  ASSERT_TRUE(ParseIpvsBackends(kText, {"local_port", "proto"}, sink).ok());
  RecordingAppender out = Flush(sink);
  EXPECT_EQ(Value(out, {{"__name__", "node_ipvs_backend_connections_active"},
                        {"local_port", "443"},
                        {"proto", "TCP"}}),
            19);
  EXPECT_EQ(
      Value(out,
            {{"__name__", "node_ipvs_backend_weight"}, {"local_port", "443"}, {"proto", "TCP"}}),
      3);
  EXPECT_EQ(Value(out, {{"__name__", "node_ipvs_backend_connections_inactive"},
                        {"local_port", "0"},
                        {"proto", "FWM"}}),
            20);
  EXPECT_EQ(out.samples().size(), 6u);
}

TEST(SystemIpvsTest, MalformedInputFails) {
  for (const char* bad :
       {"TCP\n", "TCP  0A0001:01BB rr\n", "TCP  0A00000G:01BB rr\n",
        "TCP  0A000001:01BB rr\n  -> 0A000102:2328 Masq x 1 1\n",
        "UDP  [2001:0db8:0000:0000:0000:0000:0000:zz35]:0035 rr\n", "TCP  0A000001:XXBB rr\n"}) {
    SampleSink sink;
    EXPECT_FALSE(ParseIpvsBackends(bad, {"proto"}, sink).ok()) << bad;
    EXPECT_EQ(sink.sample_count(), 0u) << bad;
  }
  for (const char* bad : {"", "a\nb\n", "a\nb\n1 2 3 4\n", "a\nb\n1 2 3 4 x\n"}) {
    SampleSink sink;
    EXPECT_FALSE(ParseIpvsStats(bad, sink).ok()) << bad;
  }
}

TEST_F(Tree, IpvsKeepsTotalsWhenBackendsFail) {
  ProcFile file;
  SampleSink sink;
  EXPECT_EQ(ReadIpvs(root_, {"proto"}, file, sink).code(), StatusCode::kNotFound);
  EXPECT_EQ(sink.sample_count(), 0u);
  Write("net/ip_vs_stats", "h\nh\n 1 A 0 FF 0\n\n");
  EXPECT_FALSE(ReadIpvs(root_, {"proto"}, file, sink).ok());  // no net/ip_vs
  RecordingAppender out = Flush(sink);
  EXPECT_EQ(Value(out, {{"__name__", "node_ipvs_incoming_packets_total"}}), 10);
  EXPECT_EQ(Value(out, {{"__name__", "node_ipvs_incoming_bytes_total"}}), 255);
  EXPECT_EQ(out.samples().size(), 5u);
}

}  // namespace
}  // namespace tocsin::system
