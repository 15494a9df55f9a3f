// Parsing of Redis's INFO reply and its mapping to redis_exporter's series
// (docs/metrics.md, "Redis").
//
// ParseInfo splits the text into (section, field, value) entries; EmitInfo writes the series
// redis_exporter publishes for them: its renamed gauges and counters (used_memory ->
// redis_memory_used_bytes, keyspace_hits -> redis_keyspace_hits_total, ...), per-db keyspace,
// per-command stats, replication (master link, connected replicas) and redis_instance_info.
// Pure functions over values; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "agent/core/labels.h"
#include "agent/core/status.h"
#include "agent/store/appender.h"

namespace tocsin::redis {

struct InfoEntry {
  std::string section;  // "Server", "Memory", ... as in "# Memory"
  std::string field;
  std::string value;
};

struct Info {
  std::vector<InfoEntry> entries;
  // The value of `field` (first occurrence), or "" when absent.
  std::string_view Get(std::string_view field) const;
};

// Accepts \r\n or \n line ends; ignores blank lines and lines without ':'.
Info ParseInfo(std::string_view text);

// What EmitInfo writes besides INFO's own fields.
struct EmitOptions {
  std::vector<Label> base_labels;  // the instance's configured labels, on every series
  int databases = 0;               // CONFIG GET databases; >0 zero-fills db0..db(n-1)
  double now_seconds = 0;          // for redis_start_time_seconds (now - uptime)
};

// Writes the series for `info`; returns the first Appender error.
Status EmitInfo(const Info& info, const EmitOptions& options, Appender& out);

}  // namespace tocsin::redis
