#include "notifiers/config.h"

#include <ostream>

namespace tocsin {

std::ostream& operator<<(std::ostream& os, const SecretString&) { return os << "<secret>"; }

AlertingConfig DefaultAlertingConfig() {
  AlertingConfig config;
  config.route.receiver = kDefaultReceiverName;
  ReceiverConfig log;
  log.name = kDefaultReceiverName;
  log.log_configs.emplace_back();
  config.receivers.push_back(std::move(log));
  return config;
}

}  // namespace tocsin
