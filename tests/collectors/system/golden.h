// Golden-file helpers for the system collector tests: fixture paths, and comparison of a
// rendered exposition with a checked-in *.prom file (TOCSIN_UPDATE_GOLDEN=1 rewrites it; review
// the diff before committing). Header-only; not thread-safe.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace tocsin::testing {

inline std::string SystemFixtureDir(const std::string& name) {
  return std::string(TOCSIN_SOURCE_DIR) + "/tests/collectors/system/fixtures/" + name;
}

inline std::string ReadFileOrEmpty(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Compares `actual` with the golden file at `path` (or rewrites it when TOCSIN_UPDATE_GOLDEN=1).
inline void ExpectGolden(const std::string& path, const std::string& actual) {
  const char* update = std::getenv("TOCSIN_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << actual;
    ASSERT_TRUE(out.good()) << "cannot write " << path;
    return;
  }
  std::string expected = ReadFileOrEmpty(path);
  ASSERT_FALSE(expected.empty()) << "missing golden file " << path
                                 << " (run with TOCSIN_UPDATE_GOLDEN=1 and review it)";
  EXPECT_EQ(expected, actual) << "golden mismatch: " << path;
}

}  // namespace tocsin::testing
