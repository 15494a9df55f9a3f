// JournalSink: an spdlog sink that writes each entry to systemd-journald over journald's native
// protocol (https://systemd.io/JOURNAL_NATIVE_PROTOCOL/), without libsystemd.
//
// An entry is one datagram with MESSAGE (the formatted text, trailing whitespace stripped like
// sd_journal_send() does), PRIORITY (syslog level), SYSLOG_IDENTIFIER and, when the call site is
// known, CODE_FILE, CODE_LINE and CODE_FUNC. Entries too large for a datagram travel as a sealed
// memfd, as libsystemd sends them. When journald cannot be reached the formatted line goes to
// stderr instead (with a one-time note of why), so no entry is lost silently; the sink never
// throws. Thread-safe: base_sink's mutex serialises entries and guards the socket the sink owns
// (opened on first use, closed by the destructor).
#pragma once

#include <spdlog/sinks/base_sink.h>

#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "agent/runtime/unix_socket.h"

namespace tocsin {

class JournalSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  static constexpr const char* kDefaultSocket = "/run/systemd/journal/socket";

  // `socket_path` is an absolute path or @name; tests point it at a socket they own.
  explicit JournalSink(std::string identifier, std::string socket_path = kDefaultSocket);
  ~JournalSink() override;

  JournalSink(const JournalSink&) = delete;
  JournalSink& operator=(const JournalSink&) = delete;

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override {}

 private:
  // 0 once journald has the entry, otherwise the errno that stopped it.
  int Send(std::string_view payload);
  int SendViaMemfd(std::string_view payload);
  void WriteToStderr(std::string_view line, int error);

  const std::string identifier_;
  const std::string socket_path_;
  std::optional<UnixAddress> address_;  // unset when socket_path_ is not a valid address
  int fd_ = -1;
  // The failure last explained on stderr: a journal that stays away is reported once, not per
  // line, and again after it came back and failed anew.
  int reported_error_ = 0;
};

}  // namespace tocsin
