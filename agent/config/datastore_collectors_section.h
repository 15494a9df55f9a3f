// Binders of the datastore collector sections (`collectors.postgres`, `collectors.redis`,
// `collectors.scylla`): each is a list of instances, bound with MapReader like every other
// section (see loader.cc). Stateless functions; errors go to the reader's LoadContext.
#pragma once

#include <vector>

#include "agent/config/config.h"
#include "agent/config/map_reader.h"

namespace tocsin {

// Binds `collectors.postgres`, `collectors.redis` and `collectors.scylla` (each when present).
void BindDatastoreCollectors(MapReader& r, CollectorsConfig& collectors,
                             const GlobalConfig& global);

}  // namespace tocsin
