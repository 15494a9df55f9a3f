// JournalSink: an spdlog sink that writes each entry to systemd-journald through libsystemd's
// sd_journal_sendv(3) (sd_journal_send's iovec form: the fields are built here, not printf'd).
//
// An entry carries MESSAGE (the formatted text, trailing whitespace stripped as
// sd_journal_print() does), PRIORITY (syslog level), SYSLOG_IDENTIFIER and, when the call site is
// known, CODE_FILE, CODE_LINE and CODE_FUNC. libsystemd encodes values holding newlines in the
// native protocol's binary form and sends entries too large for a datagram as a sealed memfd; it
// always writes to /run/systemd/journal/socket. When journald cannot be reached (no socket there,
// which libsystemd itself would ignore silently, or a send error) the formatted line goes to
// stderr instead, with a one-time note of why, so no entry is lost silently; the sink never
// throws. Thread-safe: base_sink's mutex serialises entries; libsystemd owns its socket.
#pragma once

#include <spdlog/details/log_msg.h>
#include <spdlog/sinks/base_sink.h>

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace tocsin {

// The "NAME=value" fields of one entry, in the order they are sent; `formatted` is the line the
// sink's formatter produced for `msg`. Exposed for tests: the socket path is libsystemd's.
std::vector<std::string> JournalFields(const spdlog::details::log_msg& msg,
                                       std::string_view formatted, std::string_view identifier);

class JournalSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  static constexpr const char* kSocket = "/run/systemd/journal/socket";

  explicit JournalSink(std::string identifier);

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override {}

 private:
  void WriteToStderr(std::string_view line, int error);

  const std::string identifier_;
  // The failure last explained on stderr: a journal that stays away is reported once, not per
  // line, and again after it came back and failed anew.
  int reported_error_ = 0;
};

}  // namespace tocsin
