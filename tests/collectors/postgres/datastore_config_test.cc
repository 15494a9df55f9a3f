// Binding of collectors.postgres / collectors.redis / collectors.scylla: defaults, secrets and
// every error with its file:line:col and key path.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "agent/config/loader.h"

namespace tocsin {
namespace {

std::string Errors(const std::string& yaml) {
  Result<Config> c = LoadConfigString(yaml, "t.yml");
  return c.ok() ? std::string() : c.status().message();
}

TEST(DatastoreConfig, DefaultsAndValues) {
  Result<Config> c = LoadConfigString(R"(
global: {interval: 10s}
collectors:
  postgres:
    - {name: main, dsn: 'host=/run/postgresql dbname=app', labels: {server: main}}
    - name: reports
      dsn: 'postgresql://tocsin@db/reports'
      sslmode: verify-full
      sslrootcert: /etc/ca.pem
      timeout: 5s
      connect_timeout: 2s
      statement_timeout: 1s
      stat_statements_limit: 0
      labels: {server: reports}
  redis:
    - {name: cache}
  scylla:
    - {name: local, metric_families: ['scylla_cache_.*'], api_url: ''}
)",
                                      "<test>");
  ASSERT_TRUE(c.ok()) << c.status().message();
  const auto& pg = c->collectors.postgres;
  ASSERT_EQ(pg.size(), 2u);
  EXPECT_EQ(pg[0].name, "main");
  EXPECT_EQ(pg[0].stat_statements_limit, 100u);
  EXPECT_EQ(pg[0].timeout.count(), 0);
  EXPECT_EQ(pg[1].sslmode, "verify-full");
  EXPECT_EQ(pg[1].statement_timeout, std::chrono::seconds(1));
  EXPECT_EQ(pg[1].stat_statements_limit, 0u);
  ASSERT_EQ(c->collectors.redis.size(), 1u);
  EXPECT_EQ(c->collectors.redis[0].address, "127.0.0.1:6379");
  ASSERT_EQ(c->collectors.scylla.size(), 1u);
  EXPECT_EQ(c->collectors.scylla[0].metrics_url, "http://127.0.0.1:9180/metrics");
  EXPECT_EQ(c->collectors.scylla[0].api_url, "");
}

TEST(DatastoreConfig, SecretFilesAreRead) {
  char dir[] = "/tmp/tocsin-dscfg-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  std::string d = dir;
  std::ofstream(d + "/pg.dsn") << "host=x password=Pw-123\n";
  std::ofstream(d + "/redis.pw") << "R-456\n";
  std::ofstream(d + "/tocsin.yml")
      << "collectors:\n  postgres: [{name: a, dsn_file: pg.dsn}]\n"
         "  redis: [{name: r, password_file: redis.pw, username: mon}]\n";
  Result<Config> c = LoadConfigFile(d + "/tocsin.yml");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->collectors.postgres[0].dsn_secret, "host=x password=Pw-123");
  EXPECT_EQ(c->collectors.redis[0].password, "R-456");
  // A missing file names the path, never a secret.
  std::ofstream(d + "/bad.yml") << "collectors:\n  postgres: [{name: a, dsn_file: nope.dsn}]\n";
  Result<Config> bad = LoadConfigFile(d + "/bad.yml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("collectors.postgres[0].dsn_file"), std::string::npos)
      << bad.status().message();
  for (const char* f : {"/pg.dsn", "/redis.pw", "/tocsin.yml", "/bad.yml"}) {
    std::remove((d + f).c_str());
  }
  rmdir(dir);
}

TEST(DatastoreConfig, Errors) {
  struct Case {
    const char* yaml;
    const char* want;
  } cases[] = {
      {"collectors:\n  postgres: [{name: a}]\n",
       "t.yml:2:14: collectors.postgres[0].dsn: missing: set dsn or dsn_file"},
      {"collectors:\n  postgres: [{dsn: 'host=x'}]\n",
       "collectors.postgres[0].name: missing: every instance needs a unique name"},
      {"collectors:\n  postgres: [{name: 'a b', dsn: x}]\n",
       "collectors.postgres[0].name: must consist of letters"},
      {"collectors:\n  postgres: [{name: a, dsn: x, sslmode: maybe}]\n",
       "collectors.postgres[0].sslmode: must be one of disable"},
      {"collectors:\n  postgres: [{name: a, dsn: x}, {name: a, dsn: y, labels: {s: b}}]\n",
       "collectors.postgres: [1].name: duplicate name \"a\""},
      {"collectors:\n  postgres: [{name: a, dsn: x}, {name: b, dsn: y}]\n",
       "collectors.postgres: [1].labels: must differ"},
      {"global: {interval: 10s}\ncollectors:\n  redis: [{name: a, timeout: 11s}]\n",
       "collectors.redis[0].timeout: must not exceed the collection interval (10s)"},
      {"collectors:\n  redis: [{name: a, address: 'localhost'}]\n", "collectors.redis[0].address:"},
      {"collectors:\n  redis: [{name: a, tls: {}}]\n",
       "collectors.redis[0].tls: not supported: Debian 12's hiredis (0.14) has no TLS"},
      {"collectors:\n  redis: [{name: a, username: mon}]\n",
       "collectors.redis[0].username: an ACL username needs password_file"},
      {"collectors:\n  scylla: [{name: a, metric_families: ['scylla_((']}]\n",
       "collectors.scylla[0].metric_families"},
      {"collectors:\n  scylla: [{name: a, metrics_url: 'localhost:9180'}]\n",
       "collectors.scylla[0].metrics_url: must be an http:// or https:// URL"},
      {"collectors:\n  scylla: [{name: a, labels: {__x: y}}]\n", "collectors.scylla[0].labels"},
      {"collectors:\n  postgres: [{name: a, dsn: x, typo: 1}]\n", "collectors.postgres[0].typo"},
  };
  for (const Case& c : cases) {
    std::string err = Errors(c.yaml);
    EXPECT_NE(err.find(c.want), std::string::npos) << "yaml:\n" << c.yaml << "\ngot: " << err;
  }
}

}  // namespace
}  // namespace tocsin
