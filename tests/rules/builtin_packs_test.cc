// Built-in rule packs: embedded byte for byte, loadable as builtin:<name>, globbable, and
// replaced by a file of the same name on disk.
#include "rules/builtin_packs.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "rules/rule_file.h"

namespace tocsin::rules {
namespace {

namespace fs = std::filesystem;

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(BuiltInRulePacks, AreTheShippedFilesByteForByte) {
  ASSERT_EQ(BuiltInRulePacks().size(), 2u);
  for (const BuiltInRulePack& p : BuiltInRulePacks()) {
    fs::path source = fs::path(TOCSIN_SOURCE_DIR) / "rules" / "packs" / std::string(p.name);
    EXPECT_EQ(p.text, ReadAll(source)) << p.name;
    EXPECT_EQ(BuiltInRulePackText(p.name), p.text);
  }
  EXPECT_EQ(BuiltInRulePacks()[0].name, "node.yml");
  EXPECT_EQ(BuiltInRulePacks()[1].name, "tocsin.yml");
  EXPECT_FALSE(BuiltInRulePackText("nope.yml").has_value());
}

TEST(BuiltInRulePacks, LoadUnderTheirBuiltInName) {
  for (const BuiltInRulePack& p : BuiltInRulePacks()) {
    const std::string name = "builtin:" + std::string(p.name);
    RuleFileLoad load = LoadRuleFile(name);
    EXPECT_TRUE(load.ok()) << (load.errors.empty() ? "" : load.errors[0]);
    EXPECT_EQ(load.file.source, name);
    EXPECT_GT(load.file.RuleCount(), 0u);
  }
  RuleFileLoad missing = LoadRuleFile("builtin:nope.yml");
  ASSERT_EQ(missing.errors.size(), 1u);
  EXPECT_EQ(missing.errors[0], "builtin:nope.yml: no such built-in rule pack");
}

TEST(BuiltInRulePacks, ExpandByNameOrGlob) {
  auto one = ExpandRuleFileGlobs({"builtin:node.yml"});
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(*one, std::vector<std::string>({"builtin:node.yml"}));
  auto all = ExpandRuleFileGlobs({"builtin:*.yml", "builtin:tocsin.yml"});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all, std::vector<std::string>({"builtin:node.yml", "builtin:tocsin.yml"}));
  auto bad = ExpandRuleFileGlobs({"builtin:nod.yml"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "rule_files: no built-in rule pack matches \"builtin:nod.yml\" (built-in: "
            "builtin:node.yml, builtin:tocsin.yml)");
}

// /etc/tocsin/rules/node.yml (e.g. an edited copy of the pack) replaces builtin:node.yml, so
// the default config's rule_files never load the same rules twice.
TEST(BuiltInRulePacks, AFileOfTheSameNameReplacesThePack) {
  std::string tmpl = (fs::temp_directory_path() / "tocsin-packs-XXXXXX").string();
  ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
  const fs::path dir = tmpl;
  std::ofstream(dir / "node.yml") << "groups: []\n";
  std::ofstream(dir / "mine.yml") << "groups: []\n";
  auto files =
      ExpandRuleFileGlobs({"builtin:node.yml", "builtin:tocsin.yml", (dir / "*.yml").string()});
  ASSERT_TRUE(files.ok());
  EXPECT_EQ(*files, std::vector<std::string>({(dir / "mine.yml").string(),
                                              (dir / "node.yml").string(), "builtin:tocsin.yml"}));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace tocsin::rules
