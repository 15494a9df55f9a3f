// ErrorList: collects every problem found while loading one file, so that all of them are
// reported at once, each as `file:line:col: dotted.key: message`.
//
// Owned by one load (a plain value); not synchronised. ToStatus() orders the lines by position
// so the output reads top to bottom however the binders visited the document.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "agent/config/yaml.h"
#include "agent/core/status.h"

namespace tocsin {

class ErrorList {
 public:
  explicit ErrorList(std::string source) : source_(std::move(source)) {}

  // `path` may be empty (a problem with the whole document); then the "path: " part is omitted.
  void Add(YamlMark at, std::string_view path, std::string_view message);

  // Appends another file's errors (an included file, e.g. alerting.config_file); they print
  // with their own file name, after this file's, in their own position order.
  void AddAll(const ErrorList& other);

  bool empty() const { return errors_.empty(); }
  size_t size() const { return errors_.size(); }
  const std::string& source() const { return source_; }

  // Ok when empty; otherwise kInvalidArgument with one line per error, ordered by position.
  Status ToStatus() const;

 private:
  struct Entry {
    YamlMark at;
    std::string line;
    int file = 0;  // 0 = this file; included files count up in the order they were added
  };
  std::string source_;
  std::vector<Entry> errors_;
  int included_files_ = 0;
};

}  // namespace tocsin
