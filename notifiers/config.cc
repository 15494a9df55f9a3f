#include "notifiers/config.h"

#include <ostream>

namespace tocsin {

std::ostream& operator<<(std::ostream& os, const SecretString&) { return os << "<secret>"; }

SlackConfig TocsinSlackConfig() {
  SlackConfig c;
  c.username.clear();
  c.title_link = R"({{ template "tocsin.slack.titlelink" . }})";
  c.text = R"({{ template "tocsin.slack.text" . }})";
  c.fallback = R"({{ template "tocsin.slack.fallback" . }})";
  return c;
}

PagerDutyConfig TocsinPagerDutyConfig() {
  PagerDutyConfig c;
  c.client = "tocsin";
  c.client_url = "{{ .ExternalURL }}";
  c.send_timestamp = true;
  return c;
}

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
