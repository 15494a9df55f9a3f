// ProcFile: reads small pseudo-files (/proc, /sys) into a reused buffer, and the allocation-free
// line/field parsing helpers every system sub-reader uses.
//
// A ProcFile owns its buffer and is reused across reads and scrapes so that a steady-state
// collection does not allocate for file contents. Not thread-safe: one per collector instance.
// The string_views returned by the parsing helpers point into the caller's text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "agent/core/status.h"

namespace tocsin::system {

class ProcFile {
 public:
  ProcFile() = default;
  ProcFile(const ProcFile&) = delete;
  ProcFile& operator=(const ProcFile&) = delete;

  // Reads the whole file at `path` (at most kMaxSize bytes) and returns a view of its contents,
  // valid until the next Read. NotFound when the file does not exist, Internal on other errors,
  // ResourceExhausted when the file is larger than kMaxSize.
  Result<std::string_view> Read(const std::string& path);

  // errno of the last failed Read (0 after a successful one).
  int last_errno() const { return last_errno_; }

  static constexpr size_t kMaxSize = 16 << 20;

 private:
  std::string buffer_;
  int last_errno_ = 0;
};

// Joins a root ("/proc", "/tmp/x/proc") and a relative path ("stat") with exactly one '/'.
std::string JoinPath(std::string_view root, std::string_view rel);

// Returns the next line of `text` (without '\n') and advances `text` past it; false at the end.
bool NextLine(std::string_view& text, std::string_view& line);

// Returns the next whitespace-separated (space or tab) field of `line` and advances past it;
// false when no field is left.
bool NextField(std::string_view& line, std::string_view& field);

// Strict numeric parsing of a whole field with std::from_chars; nullopt on any junk, sign or
// overflow. ParseDouble accepts plain decimal/exponent notation only (no "inf"/"nan").
std::optional<uint64_t> ParseUint64(std::string_view s);
std::optional<int64_t> ParseInt64(std::string_view s);
std::optional<double> ParseDouble(std::string_view s);

// Trims spaces and tabs at both ends.
std::string_view Trim(std::string_view s);

// Trims ASCII whitespace (space, \t, \n, \v, \f, \r) at both ends, as Go's bytes.TrimSpace
// does for ASCII text.
std::string_view TrimSpace(std::string_view s);

}  // namespace tocsin::system
