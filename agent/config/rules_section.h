// Binder of the `rules:` section into RulesConfig (rules_config.h). Called from loader.cc.
// Pure function over MapReader; not synchronised.
#pragma once

#include "agent/config/map_reader.h"
#include "agent/config/rules_config.h"

namespace tocsin {

void BindRules(MapReader& r, RulesConfig& rules);

}  // namespace tocsin
