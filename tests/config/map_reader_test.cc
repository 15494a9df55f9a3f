// Tests of MapReader through a made-up section shaped like the ones to come (a list of targets
// with secrets), so the binder API is exercised beyond today's Config.
#include "agent/config/map_reader.h"

#include <gtest/gtest.h>

#include "tests/config/test_dir.h"

namespace tocsin {
namespace {

using std::chrono::milliseconds;
using testing_support::ScopedEnv;
using testing_support::TempDir;

struct FakeTarget {
  std::string name;
  Secret password;
  bool tls = false;
  std::vector<std::string> tags;
};

struct FakeSection {
  milliseconds window{60'000};
  size_t limit = 10;
  std::vector<FakeTarget> targets;
};

void BindFakeTarget(MapReader& r, FakeTarget& t) {
  r.String("name", &t.name);
  r.SecretFile("password_file", &t.password);
  r.Bool("tls", &t.tls);
  r.StringList("tags", &t.tags);
}

void BindFakeSection(MapReader& r, FakeSection& s) {
  r.Duration("window", &s.window, MustBePositive);
  r.UInt("limit", &s.limit);
  r.List<FakeTarget>("targets", &s.targets, BindFakeTarget);
}

// Loads `text` as a document whose top level has one `fake:` section.
Result<FakeSection> LoadFake(std::string_view text, const std::string& base_dir = "") {
  Result<YamlNode> doc = ParseYaml(text, "fake.yml");
  if (!doc.ok()) return doc.status();
  LoadContext context{ErrorList("fake.yml"), base_dir};
  FakeSection section;
  MapReader root(*doc, "", context);
  root.Section("fake", [&](MapReader& r) { BindFakeSection(r, section); });
  root.ReportUnknownKeys();
  if (!context.errors.empty()) return context.errors.ToStatus();
  return section;
}

TEST(MapReaderTest, BindsNestedListsOfMapsWithSecrets) {
  TempDir dir;
  dir.Write("pw", "hunter2\n");
  ScopedEnv no_creds("CREDENTIALS_DIRECTORY", std::nullopt);
  Result<FakeSection> s = LoadFake(
      "fake:\n"
      "  window: 5m\n"
      "  limit: 1_000\n"
      "  targets:\n"
      "    - {name: a, password_file: pw, tls: true, tags: [x, y]}\n"
      "    - name: b\n",
      dir.path().string());
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->window, milliseconds(300'000));
  EXPECT_EQ(s->limit, 1000u);
  ASSERT_EQ(s->targets.size(), 2u);
  EXPECT_EQ(s->targets[0].name, "a");
  EXPECT_EQ(s->targets[0].password.value, "hunter2");
  EXPECT_TRUE(s->targets[0].tls);
  EXPECT_EQ(s->targets[0].tags, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(s->targets[1].name, "b");
  EXPECT_TRUE(s->targets[1].password.empty());
  EXPECT_FALSE(s->targets[1].tls);
}

TEST(MapReaderTest, SecretFromCredentialsDirectory) {
  TempDir config_dir;
  TempDir creds;
  creds.Write("pw", "from-systemd\n");
  ScopedEnv env("CREDENTIALS_DIRECTORY", creds.path().string());
  Result<FakeSection> s =
      LoadFake("fake: {targets: [{password_file: pw}]}\n", config_dir.path().string());
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->targets[0].password.value, "from-systemd");
}

TEST(MapReaderTest, ListItemErrorsNameTheIndexAndNeverTheSecret) {
  TempDir dir;
  dir.Write("pw", "hunter2\n");
  ScopedEnv no_creds("CREDENTIALS_DIRECTORY", std::nullopt);
  Result<FakeSection> s = LoadFake(
      "fake:\n"
      "  window: 0s\n"
      "  limit: \"7\"\n"
      "  targets:\n"
      "    - {name: a, password_file: pw, tls: yes}\n"
      "    - {name: b, password_file: missing, tls: 'true', tags: x}\n"
      "    - [not, a, map]\n"
      "    - {nmae: c}\n",
      dir.path().string());
  ASSERT_FALSE(s.ok());
  std::string missing = (dir.path() / "missing").string();
  EXPECT_EQ(s.status().message(),
            "fake.yml:2:11: fake.window: must be greater than 0\n"
            "fake.yml:3:10: fake.limit: expected a non-negative integer, got the string \"7\"\n"
            "fake.yml:5:41: fake.targets[0].tls: expected true or false, got \"yes\"\n"
            "fake.yml:6:32: fake.targets[1].password_file: cannot read secret file \"" +
                missing +
                "\": No such file or directory\n"
                "fake.yml:6:46: fake.targets[1].tls: expected true or false, got the string "
                "\"true\"\n"
                "fake.yml:6:60: fake.targets[1].tags: expected a list, got \"x\"\n"
                "fake.yml:7:7: fake.targets[2]: expected a map, got a list\n"
                "fake.yml:8:8: fake.targets[3].nmae: unknown key");
  EXPECT_EQ(s.status().message().find("hunter2"), std::string::npos);
}

TEST(MapReaderTest, AbsentKeysKeepDefaultsAndPresenceIsReported) {
  Result<YamlNode> doc = ParseYaml("a: 1s\n", "x.yml");
  ASSERT_TRUE(doc.ok());
  LoadContext context{ErrorList("x.yml"), ""};
  MapReader r(*doc, "", context);
  milliseconds a{5}, b{7};
  EXPECT_TRUE(r.Duration("a", &a));
  EXPECT_FALSE(r.Duration("b", &b));
  EXPECT_EQ(a, milliseconds(1000));
  EXPECT_EQ(b, milliseconds(7));
  EXPECT_FALSE(r.Section("absent", [](MapReader&) { ADD_FAILURE() << "bound an absent section"; }));
  r.ReportUnknownKeys();
  EXPECT_TRUE(context.errors.empty());
}

TEST(MapReaderTest, IntegerOverflowIsAnError) {
  Result<YamlNode> doc = ParseYaml("n: 99999999999999999999999\nm: _1\n", "x.yml");
  ASSERT_TRUE(doc.ok());
  LoadContext context{ErrorList("x.yml"), ""};
  MapReader r(*doc, "", context);
  size_t n = 3, m = 4;
  EXPECT_FALSE(r.UInt("n", &n));
  EXPECT_FALSE(r.UInt("m", &m));
  EXPECT_EQ(n, 3u);
  EXPECT_EQ(context.errors.ToStatus().message(),
            "x.yml:1:4: n: integer \"99999999999999999999999\" is too large\n"
            "x.yml:2:4: m: expected a non-negative integer, got \"_1\"");
}

}  // namespace
}  // namespace tocsin
