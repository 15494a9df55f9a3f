// LogNotifier: the default receiver. Writes one structured line per notification (receiver,
// status, group key, counts, and each alert's name and labels) through spdlog, or to a sink
// given by the caller. Never fails. Send() is not reentrant per instance (one worker calls it).
#pragma once

#include <functional>
#include <string>

#include "notifiers/config.h"
#include "notifiers/notifier.h"

namespace tocsin {

class LogNotifier final : public Notifier {
 public:
  using Sink = std::function<void(const std::string& line)>;
  // An empty sink logs at info level through spdlog.
  explicit LogNotifier(LogReceiverConfig config, Sink sink = {});
  std::string_view Integration() const override { return "log"; }
  bool SendResolved() const override { return config_.send_resolved; }
  SendResult Send(const Notification& n) override;

  // The line Send() writes, without a trailing newline.
  static std::string FormatLine(const Notification& n);

 private:
  LogReceiverConfig config_;
  Sink sink_;
};

}  // namespace tocsin
