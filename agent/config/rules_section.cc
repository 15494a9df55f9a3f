#include "agent/config/rules_section.h"

namespace tocsin {

void BindRules(MapReader& r, RulesConfig& rules) {
  r.Duration("resend_delay", &rules.resend_delay);
  r.Duration("outage_tolerance", &rules.outage_tolerance);
  r.Duration("grace_period", &rules.grace_period);
  r.Bool("event_driven", &rules.event_driven);
  r.String("external_url", &rules.external_url);
}

}  // namespace tocsin
