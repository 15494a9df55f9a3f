// FakeStatFs: a StatFs answering from a table keyed by path, for the system collector's tests.
// Paths not in the table fail like a missing mount. Thread-safe (the table is fixed after
// construction, and the collector calls it from helper threads).
#pragma once

#include <map>
#include <string>

#include "collectors/system/statfs.h"

namespace tocsin::testing {

class FakeStatFs final : public system::StatFs {
 public:
  explicit FakeStatFs(std::map<std::string, system::FsStats> table) : table_(std::move(table)) {}
  Result<system::FsStats> Stat(const std::string& path) override {
    auto it = table_.find(path);
    if (it == table_.end()) return Internal("statvfs " + path + ": No such file or directory");
    return it->second;
  }

 private:
  const std::map<std::string, system::FsStats> table_;
};

}  // namespace tocsin::testing
