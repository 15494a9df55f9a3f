#include "notifiers/log/log_notifier.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "agent/core/json.h"

namespace tocsin {

LogNotifier::LogNotifier(LogReceiverConfig config, Sink sink)
    : config_(config), sink_(std::move(sink)) {}

std::string LogNotifier::FormatLine(const Notification& n) {
  // logfmt: key=value, values JSON-quoted so that any label text stays on one line.
  auto q = [](const std::string& s) { return EncodeJson(nlohmann::json(s)); };
  std::string line = "notification receiver=" + q(n.receiver) + " status=" + n.Status() +
                     " firing=" + std::to_string(n.NumFiring()) +
                     " resolved=" + std::to_string(n.NumResolved()) +
                     " group_key=" + q(n.group_key) + " summary=" + q(Subject(n));
  std::string alerts;
  for (const Alert& a : n.alerts) {
    if (!alerts.empty()) alerts += ' ';
    alerts += (a.ends_at == 0 ? "firing:" : "resolved:") + a.labels.ToString();
  }
  line += " alerts=" + q(alerts);
  return line;
}

SendResult LogNotifier::Send(const Notification& n) {
  std::string line = FormatLine(n);
  if (sink_) {
    sink_(line);
  } else {
    spdlog::info("{}", line);
  }
  return SendResult::Ok();
}

}  // namespace tocsin
