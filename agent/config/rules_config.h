// RulesConfig: the `rules:` section — how the rule manager evaluates and notifies (Prometheus's
// --rules.alert.* flags as config keys, plus tocsin's event-driven evaluation). Plain value.
#pragma once

#include <chrono>
#include <string>

namespace tocsin {

struct RulesConfig {
  std::chrono::milliseconds resend_delay{60000};        // --rules.alert.resend-delay
  std::chrono::milliseconds outage_tolerance{3600000};  // --rules.alert.for-outage-tolerance
  std::chrono::milliseconds grace_period{600000};       // --rules.alert.for-grace-period
  bool event_driven = true;  // also evaluate a group right after a commit of a metric it reads
  std::string external_url;  // --web.external-url: $externalURL and generatorURL
};

}  // namespace tocsin
