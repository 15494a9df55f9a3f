// Tests of ReadSecretFile: lookup order, trimming, and that errors never carry the secret.
#include "agent/config/secret_file.h"

#include <gtest/gtest.h>

#include <sstream>

#include "tests/config/test_dir.h"

namespace tocsin {
namespace {

using testing_support::ScopedEnv;
using testing_support::TempDir;

TEST(SecretFileTest, ReadsAbsolutePathAndTrimsOneNewline) {
  TempDir dir;
  std::string path = dir.Write("pw", "s3cret\n\n");
  ScopedEnv no_creds("CREDENTIALS_DIRECTORY", std::nullopt);
  Result<Secret> secret = ReadSecretFile(path, "/nonexistent");
  ASSERT_TRUE(secret.ok()) << secret.status().message();
  EXPECT_EQ(secret->value, "s3cret\n");  // only one newline is trimmed
  EXPECT_EQ(secret->source_file, path);
}

TEST(SecretFileTest, TrimsCrLfAndKeepsInnerWhitespace) {
  TempDir dir;
  std::string path = dir.Write("pw", " a b \r\n");
  Result<Secret> secret = ReadSecretFile(path, "");
  ASSERT_TRUE(secret.ok());
  EXPECT_EQ(secret->value, " a b ");
}

TEST(SecretFileTest, RelativePathResolvesAgainstConfigDir) {
  TempDir dir;
  dir.Write("secrets/pg.dsn", "host=/run/postgresql user=tocsin");
  ScopedEnv no_creds("CREDENTIALS_DIRECTORY", std::nullopt);
  Result<Secret> secret = ReadSecretFile("secrets/pg.dsn", dir.path().string());
  ASSERT_TRUE(secret.ok()) << secret.status().message();
  EXPECT_EQ(secret->value, "host=/run/postgresql user=tocsin");
  EXPECT_EQ(secret->source_file, (dir.path() / "secrets/pg.dsn").string());
}

TEST(SecretFileTest, CredentialsDirectoryWinsForRelativePaths) {
  TempDir config_dir;
  TempDir creds;
  config_dir.Write("slack", "from-config-dir");
  creds.Write("slack", "from-credentials\n");
  ScopedEnv env("CREDENTIALS_DIRECTORY", creds.path().string());
  Result<Secret> secret = ReadSecretFile("slack", config_dir.path().string());
  ASSERT_TRUE(secret.ok()) << secret.status().message();
  EXPECT_EQ(secret->value, "from-credentials");
  EXPECT_EQ(secret->source_file, (creds.path() / "slack").string());
}

TEST(SecretFileTest, FallsBackToConfigDirWhenNotAmongCredentials) {
  TempDir config_dir;
  TempDir creds;
  config_dir.Write("slack", "from-config-dir");
  ScopedEnv env("CREDENTIALS_DIRECTORY", creds.path().string());
  Result<Secret> secret = ReadSecretFile("slack", config_dir.path().string());
  ASSERT_TRUE(secret.ok()) << secret.status().message();
  EXPECT_EQ(secret->value, "from-config-dir");
}

TEST(SecretFileTest, AbsolutePathIgnoresCredentialsDirectory) {
  TempDir config_dir;
  TempDir creds;
  std::string path = config_dir.Write("pw", "absolute");
  creds.Write(path.substr(1), "shadow");  // same relative path under the credentials dir
  ScopedEnv env("CREDENTIALS_DIRECTORY", creds.path().string());
  Result<Secret> secret = ReadSecretFile(path, "");
  ASSERT_TRUE(secret.ok());
  EXPECT_EQ(secret->value, "absolute");
}

TEST(SecretFileTest, MissingFileNamesEveryPlaceLooked) {
  TempDir config_dir;
  TempDir creds;
  ScopedEnv env("CREDENTIALS_DIRECTORY", creds.path().string());
  Result<Secret> secret = ReadSecretFile("pagerduty", config_dir.path().string());
  ASSERT_FALSE(secret.ok());
  EXPECT_EQ(secret.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(secret.status().message(),
            "cannot read secret file \"" + (config_dir.path() / "pagerduty").string() +
                "\": No such file or directory (also looked for \"" +
                (creds.path() / "pagerduty").string() + "\" in $CREDENTIALS_DIRECTORY)");
}

TEST(SecretFileTest, MissingFileWithoutCredentialsDirectory) {
  ScopedEnv no_creds("CREDENTIALS_DIRECTORY", std::nullopt);
  Result<Secret> secret = ReadSecretFile("/nonexistent/tocsin/pw", "");
  ASSERT_FALSE(secret.ok());
  EXPECT_EQ(secret.status().message(),
            "cannot read secret file \"/nonexistent/tocsin/pw\": No such file or directory");
}

TEST(SecretFileTest, EmptyAndOversizedFilesAreRefused) {
  TempDir dir;
  std::string empty = dir.Write("empty", "\n");
  Result<Secret> e = ReadSecretFile(empty, "");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().message(), "secret file \"" + empty + "\" is empty");

  std::string big = dir.Write("big", std::string(kMaxSecretFileBytes + 1, 'x'));
  Result<Secret> b = ReadSecretFile(big, "");
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().message(), "secret file \"" + big + "\" is larger than " +
                                      std::to_string(kMaxSecretFileBytes) + " bytes");
  EXPECT_TRUE(ReadSecretFile("", "").status().message() == "secret file path is empty");
}

TEST(SecretFileTest, SecretPrintsAsPlaceholder) {
  Secret s{"hunter2", "/x"};
  std::ostringstream out;
  out << s;
  EXPECT_EQ(out.str(), "<secret>");
}

}  // namespace
}  // namespace tocsin
