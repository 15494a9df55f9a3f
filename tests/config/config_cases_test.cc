// Table-driven config cases: every tests/config/cases/*.good.yml must load, every *.bad.yml
// must fail with exactly the text in its sibling *.bad.yml.err. Error lines there name the file
// relative to cases/ (the test strips the directory), e.g.
//   unknown_key_top.bad.yml:4:1: listen_address: unknown key
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "agent/config/loader.h"

namespace tocsin {
namespace {

namespace fs = std::filesystem;

const fs::path kCasesDir = fs::path(TOCSIN_TEST_DATA_DIR) / "cases";

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> CaseFiles(std::string_view suffix) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(kCasesDir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.ends_with(suffix)) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

// gtest parameter names allow only [A-Za-z0-9_].
std::string TestName(const testing::TestParamInfo<std::string>& info) {
  std::string name = info.param.substr(0, info.param.find('.'));
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

std::string Relativize(std::string message) {
  std::string prefix = kCasesDir.string() + "/";
  for (size_t at = message.find(prefix); at != std::string::npos; at = message.find(prefix)) {
    message.erase(at, prefix.size());
  }
  return message;
}

class GoodConfigCase : public testing::TestWithParam<std::string> {};

TEST_P(GoodConfigCase, Loads) {
  fs::path file = kCasesDir / GetParam();
  Result<Config> config = LoadConfigFile(file.string());
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->source_file, file.string());
}

INSTANTIATE_TEST_SUITE_P(ConfigCases, GoodConfigCase, testing::ValuesIn(CaseFiles(".good.yml")),
                         TestName);

class BadConfigCase : public testing::TestWithParam<std::string> {};

TEST_P(BadConfigCase, FailsWithExpectedErrors) {
  fs::path file = kCasesDir / GetParam();
  fs::path expected_file = kCasesDir / (GetParam() + ".err");
  ASSERT_TRUE(fs::exists(expected_file)) << "missing " << expected_file;
  std::string expected = ReadFile(expected_file);
  while (expected.ends_with('\n')) expected.pop_back();

  Result<Config> config = LoadConfigFile(file.string());
  ASSERT_FALSE(config.ok()) << GetParam() << " loaded but should not";
  EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Relativize(config.status().message()), expected);
}

INSTANTIATE_TEST_SUITE_P(ConfigCases, BadConfigCase, testing::ValuesIn(CaseFiles(".bad.yml")),
                         TestName);

// Guards the table itself: a typo in a file name must not silently drop a case.
TEST(ConfigCasesTable, EveryFileIsACase) {
  EXPECT_GE(CaseFiles(".good.yml").size(), 3u);
  EXPECT_GE(CaseFiles(".bad.yml").size(), 10u);
  for (const auto& entry : fs::directory_iterator(kCasesDir)) {
    std::string name = entry.path().filename().string();
    bool known =
        name.ends_with(".good.yml") || name.ends_with(".bad.yml") ||
        (name.ends_with(".bad.yml.err") && fs::exists(kCasesDir / name.substr(0, name.size() - 4)));
    EXPECT_TRUE(known) << "stray file in cases/: " << name;
  }
}

}  // namespace
}  // namespace tocsin
