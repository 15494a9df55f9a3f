// The `remote_write:` list (Prometheus's shape, remote_write_config.h): one binder per entry.
// Secrets come from *_file keys only; an inline password/credentials/bearer_token is an error
// that names the *_file key to use instead.
#pragma once

#include <vector>

#include "agent/config/map_reader.h"
#include "agent/config/remote_write_config.h"

namespace tocsin {

void BindRemoteWrite(MapReader& r, std::vector<RemoteWriteConfig>& out);

}  // namespace tocsin
