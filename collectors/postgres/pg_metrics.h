// Turns query results (PgRows) into postgres_exporter-named samples on an Appender.
//
// Emitter adds the instance's configured labels to every series and registers each family's
// metadata once per cycle. ConvertRows follows a QuerySpec; ConvertSettings applies
// postgres_exporter's pg_settings rules (bool as 0/1, time units to seconds, size units to
// bytes, -1 untouched). Pure functions plus a per-cycle Emitter; not thread-safe.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "agent/core/labels.h"
#include "agent/core/status.h"
#include "agent/store/appender.h"
#include "collectors/postgres/pg_connection.h"
#include "collectors/postgres/pg_queries.h"

namespace tocsin::postgres {

class Emitter {
 public:
  // `base` labels (the instance's configured labels) are added to every sample.
  Emitter(Appender& out, std::vector<Label> base) : out_(out), base_(std::move(base)) {}

  // Registers HELP/TYPE for the sample name `name` (a counter's "_total" is dropped from the
  // family name, as Appender::SetMetadata expects). Repeated calls are cheap no-ops.
  void Family(const std::string& name, MetricType type, std::string_view help);
  // The first error from the Appender is kept and returned by status(); later adds are skipped.
  void Add(const std::string& name, std::vector<Label> labels, double value);
  const Status& status() const { return status_; }
  size_t added() const { return added_; }

 private:
  Appender& out_;
  std::vector<Label> base_;
  std::set<std::string, std::less<>> families_;
  Status status_;
  size_t added_ = 0;
};

// A PostgreSQL text value as a number: integers, floats, "NaN", "Infinity", and booleans
// ("t"/"f", "on"/"off"). nullopt when it is none of these.
std::optional<double> ParseValue(std::string_view text);

// One pg_settings row as postgres_exporter publishes it: the metric name (without the
// "pg_settings_" prefix) and value, or an error for an unknown unit or a non-numeric value.
struct SettingSample {
  std::string name;
  double value = 0;
};
Result<SettingSample> NormaliseSetting(std::string_view name, std::string_view setting,
                                       std::string_view unit, std::string_view vartype);

// Emits the rows of `spec`'s result. Values that don't parse are skipped and counted in
// `*skipped` (nullptr = don't count); a result without a declared label column is an error.
Status ConvertRows(const QuerySpec& spec, const PgRows& rows, Emitter& out, size_t* skipped);
Status ConvertSettings(const PgRows& rows, Emitter& out, size_t* skipped);

}  // namespace tocsin::postgres
