// Tests of the textfile collector over fixture directories: good files, and malformed ones
// (parse error, client timestamps, type conflict, duplicate series, missing directory).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <utime.h>

#include <regex>

#include "collectors/textfile/textfile_collector.h"
#include "tests/collectors/system/golden.h"
#include "tests/fakes/recording_appender.h"

namespace tocsin {
namespace {

std::string Dir(const std::string& name) {
  return std::string(TOCSIN_SOURCE_DIR) + "/tests/collectors/textfile/fixtures/" + name;
}

// Renders with the fixture root replaced and mtimes masked (checkouts set them).
std::string Collect(const std::string& dir, double* error = nullptr) {
  TextfileCollectorConfig c;
  c.enabled = true;
  c.directory = dir;
  auto collector = MakeTextfileCollector(c);
  EXPECT_TRUE(collector.ok());
  testing::RecordingAppender app;
  EXPECT_TRUE((*collector)->Collect(CollectContext{}, app).ok());
  EXPECT_TRUE(app.DuplicateSeries().empty());
  if (error != nullptr) *error = *app.Value(Labels{{"__name__", "node_textfile_scrape_error"}});
  std::string out = app.Render();
  out = std::regex_replace(out, std::regex(Dir("")), "<fixtures>/");
  return std::regex_replace(out, std::regex("(node_textfile_mtime_seconds\\{[^}]*\\}) .*"),
                            "$1 <mtime>");
}

TEST(Textfile, GoodFilesGolden) {
  double error = -1;
  std::string out = Collect(Dir("good"), &error);
  EXPECT_EQ(error, 0);
  testing::ExpectGolden(Dir("good.golden"), out);
}

TEST(Textfile, MalformedFilesAreSkippedAndReported) {
  double error = -1;
  std::string out = Collect(Dir("mixed"), &error);
  EXPECT_EQ(error, 1);
  testing::ExpectGolden(Dir("mixed.golden"), out);
}

TEST(Textfile, MissingDirectoryIsAnErrorNotAFailure) {
  double error = -1;
  Collect(Dir("does-not-exist"), &error);
  EXPECT_EQ(error, 1);
}

TEST(Textfile, MtimeIsTheFilesModificationTime) {
  std::string dir = ::testing::TempDir() + "/textfile-mtime-" + std::to_string(getpid());
  ASSERT_EQ(mkdir(dir.c_str(), 0755), 0);
  std::string file = dir + "/x.prom";
  FILE* f = fopen(file.c_str(), "w");
  ASSERT_NE(f, nullptr);
  fputs("x 1\n", f);
  fclose(f);
  struct utimbuf times {
    1600000000, 1600000000
  };
  ASSERT_EQ(utime(file.c_str(), &times), 0);
  TextfileCollectorConfig c;
  c.directory = dir;
  auto collector = MakeTextfileCollector(c);
  testing::RecordingAppender app;
  ASSERT_TRUE((*collector)->Collect(CollectContext{}, app).ok());
  EXPECT_EQ(app.Value(Labels{{"__name__", "node_textfile_mtime_seconds"}, {"file", file}}),
            1600000000);
  unlink(file.c_str());
  rmdir(dir.c_str());
}

}  // namespace
}  // namespace tocsin
