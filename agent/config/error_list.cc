#include "agent/config/error_list.h"

#include <algorithm>

namespace tocsin {

void ErrorList::Add(YamlMark at, std::string_view path, std::string_view message) {
  std::string line = source_;
  line += ':' + std::to_string(at.line) + ':' + std::to_string(at.column) + ": ";
  if (!path.empty()) {
    line += path;
    line += ": ";
  }
  line += message;
  errors_.push_back(Entry{at, std::move(line)});
}

void ErrorList::AddAll(const ErrorList& other) {
  ++included_files_;
  for (Entry e : other.errors_) {
    e.file = included_files_ + e.file;
    errors_.push_back(std::move(e));
  }
  included_files_ += other.included_files_;
}

Status ErrorList::ToStatus() const {
  if (errors_.empty()) return Status::Ok();
  std::vector<Entry> sorted = errors_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const Entry& a, const Entry& b) {
    if (a.file != b.file) return a.file < b.file;
    if (a.at.line != b.at.line) return a.at.line < b.at.line;
    return a.at.column < b.at.column;
  });
  std::string joined;
  for (const Entry& e : sorted) {
    if (!joined.empty()) joined += '\n';
    joined += e.line;
  }
  return InvalidArgument(std::move(joined));
}

}  // namespace tocsin
