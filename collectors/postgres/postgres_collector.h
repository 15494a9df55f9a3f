// The postgres collector: postgres_exporter-compatible series for one PostgreSQL server
// (docs/metrics.md, "PostgreSQL").
//
// One connection is opened on first use and reused across cycles; when it breaks (server
// restart, network) the next cycle reconnects at once, and repeated failures back off
// (0, 1, 2, 4 ... 30 s between attempts). A server that is down, refuses the login or does
// not answer in time still yields a committed cycle with `pg_up 0` (the reason is logged,
// without the password), so alerts on pg_up work and the server's own series go stale.
// Every call honours ctx.deadline (connect and query are cancelled at it).
// Collect is not called concurrently (collectors/collector.h); the collector owns its
// connection.
#pragma once

#include <memory>

#include "agent/config/datastore_collectors_config.h"
#include "agent/core/status.h"
#include "collectors/collector.h"

namespace tocsin {

// The collector's name() is "postgres/<config.name>". Fails only for an unparsable DSN.
Result<std::unique_ptr<Collector>> MakePostgresCollector(const PostgresCollectorConfig& config,
                                                         std::chrono::milliseconds timeout);

}  // namespace tocsin
