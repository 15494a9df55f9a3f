// Binder of the `alerting:` section (Alertmanager's route / inhibit_rules / receivers subset,
// Prometheus's alertmanagers, tocsin's delivery knobs) into notifiers/config.h's AlertingConfig.
// `alerting.config_file` names an Alertmanager configuration file, loaded as it is (am_schema.h);
// its errors carry its own file name. Called from loader.cc. Not synchronised.
#pragma once

#include "agent/config/map_reader.h"
#include "notifiers/config.h"

namespace tocsin {

// `r` is the `alerting` map. Secrets come from `*_file` keys (ReadSecretFile's lookup:
// $CREDENTIALS_DIRECTORY, then the config's directory).
void BindAlerting(MapReader& r, AlertingConfig& alerting);

}  // namespace tocsin
