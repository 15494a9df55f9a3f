#include "agent/runtime/journal_sink.h"

#include <errno.h>
#include <sys/uio.h>
// Without this, sd-journal.h turns sd_journal_sendv into a macro that adds this file's own
// CODE_FILE/CODE_LINE/CODE_FUNC; the entry carries the logging call site instead.
#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <utility>

namespace tocsin {
namespace {

// Indexed by spdlog::level::level_enum: trace, debug, info, warn, err, critical, off.
constexpr std::array<char, 7> kSyslogPriority = {'7', '7', '6', '4', '3', '2', '6'};

std::string_view StripTrailingWhitespace(std::string_view text) {
  size_t end = text.find_last_not_of(" \t\n\r");
  return end == std::string_view::npos ? std::string_view() : text.substr(0, end + 1);
}

std::string Field(std::string_view name, std::string_view value) {
  std::string out;
  out.reserve(name.size() + 1 + value.size());
  out.append(name);
  out.push_back('=');
  out.append(value);
  return out;
}

// Best effort: stderr is the last resort, so there is nowhere to report its own failure.
void WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    data.remove_prefix(static_cast<size_t>(n));
  }
}

}  // namespace

std::vector<std::string> JournalFields(const spdlog::details::log_msg& msg,
                                       std::string_view formatted, std::string_view identifier) {
  auto level = static_cast<size_t>(msg.level);
  char priority = level < kSyslogPriority.size() ? kSyslogPriority[level] : '6';
  std::vector<std::string> fields;
  fields.reserve(6);
  fields.push_back(Field("MESSAGE", StripTrailingWhitespace(formatted)));
  fields.push_back(Field("PRIORITY", std::string_view(&priority, 1)));
  fields.push_back(Field("SYSLOG_IDENTIFIER", identifier));
  if (!msg.source.empty()) {
    fields.push_back(Field("CODE_FILE", msg.source.filename ? msg.source.filename : ""));
    fields.push_back(Field("CODE_LINE", std::to_string(msg.source.line)));
    if (msg.source.funcname != nullptr) fields.push_back(Field("CODE_FUNC", msg.source.funcname));
  }
  return fields;
}

JournalSink::JournalSink(std::string identifier) : identifier_(std::move(identifier)) {}

void JournalSink::sink_it_(const spdlog::details::log_msg& msg) {
  try {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    std::string_view line(formatted.data(), formatted.size());
    std::vector<std::string> fields = JournalFields(msg, line, identifier_);
    std::array<iovec, 6> iov{};
    for (size_t i = 0; i < fields.size(); ++i) {
      iov[i].iov_base = fields[i].data();
      iov[i].iov_len = fields[i].size();
    }
    // libsystemd drops entries silently when the socket does not exist (ENOENT); this sink
    // falls back to stderr instead, so it looks first.
    int r = access(kSocket, W_OK) == 0
                ? sd_journal_sendv(iov.data(), static_cast<int>(fields.size()))
                : -errno;
    if (r >= 0) {
      reported_error_ = 0;
      return;
    }
    WriteToStderr(line, -r);
  } catch (...) {
    // Formatting or allocation failed; the unformatted text still beats losing the entry, and
    // spdlog would only print an error of its own if we let the exception out.
    WriteAll(STDERR_FILENO, std::string_view(msg.payload.data(), msg.payload.size()));
    WriteAll(STDERR_FILENO, "\n");
  }
}

void JournalSink::WriteToStderr(std::string_view line, int error) {
  if (error != reported_error_) {
    reported_error_ = error;
    std::string note = identifier_ + ": cannot log to journald at " + kSocket + ": " +
                       std::strerror(error) + "; logging to stderr\n";
    WriteAll(STDERR_FILENO, note);
  }
  WriteAll(STDERR_FILENO, line);
  if (line.empty() || line.back() != '\n') WriteAll(STDERR_FILENO, "\n");
}

}  // namespace tocsin
