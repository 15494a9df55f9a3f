// Binder of the `alerting:` section (Alertmanager's route / inhibit_rules / receivers subset,
// Prometheus's alertmanagers, tocsin's delivery knobs) into notifiers/config.h's AlertingConfig.
// Called from loader.cc. Pure function over MapReader; not synchronised.
#pragma once

#include "agent/config/map_reader.h"
#include "notifiers/config.h"

namespace tocsin {

// `r` is the `alerting` map. Secrets come from `*_file` keys (ReadSecretFile's lookup:
// $CREDENTIALS_DIRECTORY, then the config's directory).
void BindAlerting(MapReader& r, AlertingConfig& alerting);

}  // namespace tocsin
