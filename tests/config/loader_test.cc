// Tests of LoadConfigFile / LoadConfigString / the built-in default: values, defaults, paths.
#include "agent/config/loader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "agent/config/default_config.h"
#include "agent/core/host_port.h"

namespace tocsin {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

const fs::path kCasesDir = fs::path(TOCSIN_TEST_DATA_DIR) / "cases";

TEST(LoaderTest, EmptyConfigGivesDefaults) {
  Result<Config> config = LoadConfigString("", "empty.yml");
  ASSERT_TRUE(config.ok()) << config.status().message();
  Config defaults;
  EXPECT_EQ(config->source_file, "empty.yml");
  EXPECT_EQ(config->global.interval, defaults.global.interval);
  EXPECT_EQ(config->global.retention, defaults.global.retention);
  EXPECT_EQ(config->web.listen_address, "127.0.0.1:9469");
  EXPECT_EQ(config->state_dir, "");
  EXPECT_FALSE(config->collectors.system.enabled);
  EXPECT_TRUE(config->rule_files.empty());
  EXPECT_TRUE(config->warnings.empty());
}

TEST(LoaderTest, FullConfigSetsEveryField) {
  fs::path file = kCasesDir / "full.good.yml";
  Result<Config> config = LoadConfigFile(file.string());
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->global.interval, milliseconds(30'000));
  EXPECT_EQ(config->global.retention, milliseconds(9'000'000));
  std::map<std::string, std::string> labels = {{"node", "db-1"}, {"region", "eu-west"}};
  EXPECT_EQ(config->global.external_labels, labels);
  EXPECT_EQ(config->web.listen_address, "[::1]:19469");
  // Relative paths are anchored at the config file's directory.
  EXPECT_EQ(config->state_dir, (kCasesDir / "state").string());
  EXPECT_EQ(config->storage.max_series, 500'000u);
  EXPECT_EQ(config->storage.max_series_per_source, 50'000u);
  const SystemCollectorConfig& system = config->collectors.system;
  EXPECT_TRUE(system.enabled);
  EXPECT_EQ(system.procfs, "/host/proc");
  EXPECT_EQ(system.sysfs, "/host/sys");
  EXPECT_EQ(system.rootfs, "/host");
  EXPECT_EQ(system.interval, milliseconds(60'000));
  EXPECT_EQ(system.timeout, milliseconds(10'000));
  EXPECT_EQ(system.fs_types_exclude, "^(tmpfs|proc)$");
  EXPECT_EQ(system.mount_points_exclude, "^/(dev|proc)($|/)");
  EXPECT_EQ(system.netdev_exclude, "^(lo|veth.*)$");
  EXPECT_EQ(system.diskstats_exclude, "^loop\\d+$");
  ASSERT_EQ(config->rule_files.size(), 2u);
  EXPECT_EQ(config->rule_files[0], (kCasesDir / "rules/*.yml").string());
  EXPECT_EQ(config->rule_files[1], "/etc/tocsin/rules/*.yml");
}

TEST(LoaderTest, NullSectionsKeepDefaultsAndSystemPresenceEnablesIt) {
  Result<Config> config = LoadConfigString("collectors:\n  system:\n", "x.yml");
  ASSERT_TRUE(config.ok()) << config.status().message();
  SystemCollectorConfig defaults;
  EXPECT_TRUE(config->collectors.system.enabled);
  EXPECT_EQ(config->collectors.system.procfs, "/proc");
  EXPECT_EQ(config->collectors.system.fs_types_exclude, defaults.fs_types_exclude);
  EXPECT_EQ(config->collectors.system.interval, milliseconds(0));
}

TEST(LoaderTest, RelativePathsInAStringConfigFollowItsSourceName) {
  Result<Config> config =
      LoadConfigString("state_dir: st\nrule_files: [r/*.yml]\n", "/etc/tocsin/tocsin.yml");
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->state_dir, "/etc/tocsin/st");
  EXPECT_EQ(config->rule_files, std::vector<std::string>{"/etc/tocsin/r/*.yml"});

  Result<Config> builtin = LoadConfigString("state_dir: st\n", "<built-in>");
  ASSERT_TRUE(builtin.ok());
  EXPECT_EQ(builtin->state_dir, "st");
}

TEST(LoaderTest, ExtraDocumentsBecomeAWarning) {
  Result<Config> config = LoadConfigString("web: {}\n---\nweb: {nonsense: 1}\n", "x.yml");
  ASSERT_TRUE(config.ok()) << config.status().message();
  ASSERT_EQ(config->warnings.size(), 1u);
  EXPECT_EQ(config->warnings[0],
            "x.yml: only the first YAML document is used; the others are "
            "ignored");
}

TEST(LoaderTest, ErrorsUseTheGivenSourceName) {
  Result<Config> config = LoadConfigString("web:\n  listen_adress: x\n", "/etc/tocsin/tocsin.yml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(config.status().message(),
            "/etc/tocsin/tocsin.yml:2:3: web.listen_adress: unknown key");
}

TEST(LoaderTest, MissingFileAndDirectoryAreErrors) {
  std::string missing = (kCasesDir / "no-such-file.yml").string();
  Result<Config> config = LoadConfigFile(missing);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(),
            missing + ": cannot read config file: No such file or directory");

  // A directory must not read as an empty (and so valid) config.
  Result<Config> dir = LoadConfigFile(kCasesDir.string());
  ASSERT_FALSE(dir.ok());
  EXPECT_EQ(dir.status().message(),
            kCasesDir.string() + ": cannot read config file: Is a directory");
}

TEST(DefaultConfigTest, IsSystemdTocsinYmlByteForByte) {
  std::ifstream in(fs::path(TOCSIN_SOURCE_DIR) / "systemd" / "tocsin.yml", std::ios::binary);
  ASSERT_TRUE(in.good());
  std::ostringstream text;
  text << in.rdbuf();
  EXPECT_EQ(DefaultConfigText(), text.str());
}

TEST(DefaultConfigTest, LoadsToTheDocumentedDefaults) {
  Result<Config> config = LoadDefaultConfig();
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->source_file, "<built-in>");
  EXPECT_EQ(config->global.interval, milliseconds(15'000));
  EXPECT_EQ(config->global.retention, milliseconds(3'600'000));
  EXPECT_EQ(config->web.listen_address, "127.0.0.1:9469");
  EXPECT_TRUE(config->collectors.system.enabled);
  EXPECT_EQ(config->state_dir, "");  // resolved at runtime
  // The built-in rule packs, by name (not resolved as paths), then the operator's rule files.
  EXPECT_EQ(config->rule_files, std::vector<std::string>({"builtin:node.yml", "builtin:tocsin.yml",
                                                          "/etc/tocsin/rules/*.yml"}));
  EXPECT_TRUE(config->warnings.empty());
}

TEST(LoaderTest, BuiltInRulePackNamesAreNotResolvedAsPaths) {
  Result<Config> config =
      LoadConfigString("rule_files: [builtin:node.yml, rules/*.yml]\n", "/etc/tocsin/tocsin.yml");
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->rule_files,
            std::vector<std::string>({"builtin:node.yml", "/etc/tocsin/rules/*.yml"}));
}

TEST(HostPortTest, AcceptsTheUsualForms) {
  struct Case {
    std::string_view address;
    std::string host;
    uint16_t port;
  };
  for (const Case& c :
       {Case{"127.0.0.1:9469", "127.0.0.1", 9469}, Case{"localhost:80", "localhost", 80},
        Case{":9469", "", 9469}, Case{"[::1]:9469", "::1", 9469},
        Case{"[fe80::1%eth0]:1", "fe80::1%eth0", 1}, Case{"0.0.0.0:0", "0.0.0.0", 0},
        Case{"h:65535", "h", 65535}}) {
    Result<HostPort> hp = ParseHostPort(c.address);
    ASSERT_TRUE(hp.ok()) << c.address << ": " << hp.status().message();
    EXPECT_EQ(hp->host, c.host);
    EXPECT_EQ(hp->port, c.port);
  }
}

TEST(HostPortTest, RejectsMalformedAddressesWithAReason) {
  struct Case {
    std::string_view address;
    std::string_view message;
  };
  for (const Case& c : {
           Case{"", "invalid address \"\": missing port (expected host:port, e.g. 127.0.0.1:9469)"},
           Case{"host",
                "invalid address \"host\": missing port (expected host:port, e.g. "
                "127.0.0.1:9469)"},
           Case{"host:",
                "invalid address \"host:\": missing port (expected host:port, e.g. "
                "127.0.0.1:9469)"},
           Case{"h:65536", "invalid address \"h:65536\": port must be a number from 0 to 65535"},
           Case{"h:-1", "invalid address \"h:-1\": port must be a number from 0 to 65535"},
           Case{"h:http", "invalid address \"h:http\": port must be a number from 0 to 65535"},
           Case{"h:0000080",
                "invalid address \"h:0000080\": port must be a number from 0 to 65535"},
           Case{"::1:80",
                "invalid address \"::1:80\": too many colons; write an IPv6 address in "
                "brackets, e.g. [::1]:9469"},
           Case{"[::1:80", "invalid address \"[::1:80\": missing ']' after the IPv6 address"},
           Case{"[::1]80", "invalid address \"[::1]80\": expected ':' and a port after ']'"},
           Case{"[]:80", "invalid address \"[]:80\": empty IPv6 address in brackets"},
           Case{"a b:80", "invalid address \"a b:80\": invalid character in host name"},
       }) {
    Result<HostPort> hp = ParseHostPort(c.address);
    ASSERT_FALSE(hp.ok()) << c.address;
    EXPECT_EQ(hp.status().message(), c.message);
  }
}

}  // namespace
}  // namespace tocsin
