#include "collectors/postgres/pg_queries.h"

namespace tocsin::postgres {
namespace {

constexpr MetricType kCounter = MetricType::kCounter;
constexpr MetricType kGauge = MetricType::kGauge;

QuerySpec StatDatabase(const ServerFeatures& s) {
  QuerySpec q;
  q.collector = "stat_database";
  q.prefix = "pg_stat_database_";
  q.labels = {"datid", "datname"};
  // Rows without a datname (shared objects, PG >= 12) are skipped, as postgres_exporter does.
  q.sql =
      "SELECT datid, datname, numbackends, xact_commit, xact_rollback, blks_read, blks_hit, "
      "tup_returned, tup_fetched, tup_inserted, tup_updated, tup_deleted, conflicts, temp_files, "
      "temp_bytes, deadlocks, blk_read_time, blk_write_time, "
      "COALESCE(floor(extract(epoch from stats_reset)), 0) AS stats_reset";
  q.values = {
      {"numbackends", kGauge, "Number of backends currently connected to this database."},
      {"xact_commit", kCounter,
       "Number of transactions in this database that have been committed."},
      {"xact_rollback", kCounter,
       "Number of transactions in this database that have been rolled back."},
      {"blks_read", kCounter, "Number of disk blocks read in this database."},
      {"blks_hit", kCounter, "Number of times disk blocks were found already in the buffer cache."},
      {"tup_returned", kCounter, "Number of rows returned by queries in this database."},
      {"tup_fetched", kCounter, "Number of rows fetched by queries in this database."},
      {"tup_inserted", kCounter, "Number of rows inserted by queries in this database."},
      {"tup_updated", kCounter, "Number of rows updated by queries in this database."},
      {"tup_deleted", kCounter, "Number of rows deleted by queries in this database."},
      {"conflicts", kCounter,
       "Number of queries canceled due to conflicts with recovery in this database."},
      {"temp_files", kCounter, "Number of temporary files created by queries in this database."},
      {"temp_bytes", kCounter,
       "Total amount of data written to temporary files by queries in this database."},
      {"deadlocks", kCounter, "Number of deadlocks detected in this database."},
      {"blk_read_time", kCounter,
       "Time spent reading data file blocks by backends in this database, in milliseconds."},
      {"blk_write_time", kCounter,
       "Time spent writing data file blocks by backends in this database, in milliseconds."},
      {"stats_reset", kCounter, "Time at which these statistics were last reset."},
  };
  if (s.version_num >= 140000) {
    q.sql += ", active_time / 1000.0 AS active_time_seconds_total";
    q.values.push_back({"active_time_seconds_total", kCounter,
                        "Time spent executing SQL statements in this database, in seconds."});
  }
  q.sql += " FROM pg_stat_database WHERE datname IS NOT NULL";
  return q;
}

QuerySpec StatDatabaseConflicts() {
  QuerySpec q;
  q.collector = "stat_database_conflicts";
  q.prefix = "pg_stat_database_conflicts_";
  q.labels = {"datid", "datname"};
  q.sql =
      "SELECT datid, datname, confl_tablespace, confl_lock, confl_snapshot, confl_bufferpin, "
      "confl_deadlock FROM pg_stat_database_conflicts WHERE datname IS NOT NULL";
  q.values = {
      {"confl_tablespace", kCounter, "Queries canceled due to dropped tablespaces."},
      {"confl_lock", kCounter, "Queries canceled due to lock timeouts."},
      {"confl_snapshot", kCounter, "Queries canceled due to old snapshots."},
      {"confl_bufferpin", kCounter, "Queries canceled due to pinned buffers."},
      {"confl_deadlock", kCounter, "Queries canceled due to deadlocks."},
  };
  return q;
}

QuerySpec StatActivity() {
  QuerySpec q;
  q.collector = "stat_activity";
  q.prefix = "pg_stat_activity_";
  q.labels = {"datname", "state"};
  // Zero-filled for every database and state, as postgres_exporter does; the collector's own
  // backend is not counted.
  q.sql =
      "SELECT d.datname, s.state, COALESCE(a.count, 0) AS count, "
      "COALESCE(a.max_tx_duration, 0) AS max_tx_duration "
      "FROM (VALUES ('active'), ('idle'), ('idle in transaction'), "
      "('idle in transaction (aborted)'), ('fastpath function call'), ('disabled')) AS s(state) "
      "CROSS JOIN pg_database d "
      "LEFT JOIN (SELECT datname, state, count(*) AS count, "
      "max(extract(epoch from now() - xact_start))::float8 AS max_tx_duration "
      "FROM pg_stat_activity WHERE pid <> pg_backend_pid() GROUP BY datname, state) a "
      "ON a.state = s.state AND a.datname = d.datname";
  q.values = {
      {"count", kGauge, "Number of connections in this state."},
      {"max_tx_duration", kGauge,
       "Max duration in seconds any active transaction has been running."},
  };
  return q;
}

QuerySpec Locks() {
  QuerySpec q;
  q.collector = "locks";
  q.prefix = "pg_locks_";
  q.labels = {"datname", "mode"};
  q.sql =
      "SELECT d.datname, m.mode, COALESCE(l.count, 0) AS count "
      "FROM (VALUES ('accesssharelock'), ('rowsharelock'), ('rowexclusivelock'), "
      "('shareupdateexclusivelock'), ('sharelock'), ('sharerowexclusivelock'), "
      "('exclusivelock'), ('accessexclusivelock'), ('sireadlock')) AS m(mode) "
      "CROSS JOIN pg_database d "
      "LEFT JOIN (SELECT database, lower(mode) AS mode, count(*) AS count FROM pg_locks "
      "WHERE database IS NOT NULL GROUP BY database, lower(mode)) l "
      "ON l.mode = m.mode AND l.database = d.oid";
  q.values = {{"count", kGauge, "Number of locks."}};
  return q;
}

QuerySpec Replication() {
  QuerySpec q;
  q.collector = "replication";
  q.prefix = "pg_replication_";
  q.sql =
      "SELECT CASE WHEN NOT pg_is_in_recovery() THEN 0 "
      "WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
      "ELSE GREATEST(0, extract(epoch from now() - pg_last_xact_replay_timestamp())) "
      "END AS lag_seconds, "
      "CASE WHEN pg_is_in_recovery() THEN 1 ELSE 0 END AS is_replica, "
      "CASE WHEN pg_is_in_recovery() THEN "
      "GREATEST(0, extract(epoch from now() - pg_last_xact_replay_timestamp())) "
      "END AS last_replay_seconds";
  q.values = {
      {"lag_seconds", kGauge, "Replication lag behind master in seconds."},
      {"is_replica", kGauge, "Indicates if the server is a replica."},
      {"last_replay_seconds", kGauge, "Age of last replay in seconds."},
  };
  return q;
}

QuerySpec StatReplication() {
  QuerySpec q;
  q.collector = "stat_replication";
  q.prefix = "pg_stat_replication_";
  q.labels = {"application_name", "client_addr", "state"};
  q.sql =
      "SELECT application_name, host(client_addr) AS client_addr, state, "
      "CASE WHEN pg_is_in_recovery() THEN NULL "
      "ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::float8 END "
      "AS pg_current_wal_lsn_bytes, "
      "CASE WHEN pg_is_in_recovery() THEN NULL "
      "ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::float8 END AS pg_wal_lsn_diff, "
      // NULL lag = the standby has caught up and nothing is being written: 0.
      "COALESCE(extract(epoch from write_lag), 0) AS write_lag_seconds, "
      "COALESCE(extract(epoch from flush_lag), 0) AS flush_lag_seconds, "
      "COALESCE(extract(epoch from replay_lag), 0) AS replay_lag_seconds "
      "FROM pg_stat_replication";
  q.values = {
      {"pg_current_wal_lsn_bytes", kGauge, "WAL position in bytes."},
      {"pg_wal_lsn_diff", kGauge, "Lag in bytes between master and slave."},
      {"write_lag_seconds", kGauge,
       "Time until this standby wrote recent WAL (pg_stat_replication.write_lag)."},
      {"flush_lag_seconds", kGauge,
       "Time until this standby flushed recent WAL (pg_stat_replication.flush_lag)."},
      {"replay_lag_seconds", kGauge,
       "Time until this standby replayed recent WAL (pg_stat_replication.replay_lag)."},
  };
  return q;
}

QuerySpec Database() {
  QuerySpec q;
  q.collector = "database";
  q.prefix = "pg_database_";
  q.labels = {"datname"};
  q.sql =
      "SELECT datname, datconnlimit AS connection_limit, "
      "CASE WHEN has_database_privilege(oid, 'CONNECT') THEN pg_database_size(oid) END "
      "AS size_bytes FROM pg_database";
  q.values = {
      {"size_bytes", kGauge, "Disk space used by the database."},
      {"connection_limit", kGauge, "Connection limit set for the database."},
  };
  return q;
}

QuerySpec Bgwriter(const ServerFeatures& s) {
  QuerySpec q;
  q.collector = "bgwriter";
  q.prefix = "pg_stat_bgwriter_";
  auto c = [](const char* col, const char* help) {
    return ValueColumn{std::string(col) + "_total", kCounter, help};
  };
  if (s.version_num >= 170000) {
    // PostgreSQL 17 moved the checkpoint columns to pg_stat_checkpointer and dropped
    // buffers_backend*.
    q.sql =
        "SELECT buffers_clean AS buffers_clean_total, maxwritten_clean AS maxwritten_clean_total, "
        "buffers_alloc AS buffers_alloc_total, "
        "COALESCE(floor(extract(epoch from stats_reset)), 0) AS stats_reset_total FROM "
        "pg_stat_bgwriter";
  } else {
    q.sql =
        "SELECT checkpoints_timed AS checkpoints_timed_total, "
        "checkpoints_req AS checkpoints_req_total, "
        "checkpoint_write_time AS checkpoint_write_time_total, "
        "checkpoint_sync_time AS checkpoint_sync_time_total, "
        "buffers_checkpoint AS buffers_checkpoint_total, buffers_clean AS buffers_clean_total, "
        "maxwritten_clean AS maxwritten_clean_total, buffers_backend AS buffers_backend_total, "
        "buffers_backend_fsync AS buffers_backend_fsync_total, "
        "buffers_alloc AS buffers_alloc_total, "
        "COALESCE(floor(extract(epoch from stats_reset)), 0) AS stats_reset_total FROM "
        "pg_stat_bgwriter";
    q.values = {
        c("checkpoints_timed", "Number of scheduled checkpoints that have been performed."),
        c("checkpoints_req", "Number of requested checkpoints that have been performed."),
        c("checkpoint_write_time", "Time spent writing checkpoint files to disk, in milliseconds."),
        c("checkpoint_sync_time",
          "Time spent synchronizing checkpoint files to disk, in milliseconds."),
        c("buffers_checkpoint", "Number of buffers written during checkpoints."),
    };
  }
  q.values.push_back(c("buffers_clean", "Number of buffers written by the background writer."));
  q.values.push_back(c("maxwritten_clean",
                       "Number of times the background writer stopped a cleaning scan because "
                       "it had written too many buffers."));
  if (s.version_num < 170000) {
    q.values.push_back(c("buffers_backend", "Number of buffers written directly by a backend."));
    q.values.push_back(
        c("buffers_backend_fsync", "Number of times a backend had to execute its own fsync call."));
  }
  q.values.push_back(c("buffers_alloc", "Number of buffers allocated."));
  q.values.push_back(c("stats_reset", "Time at which these statistics were last reset."));
  return q;
}

QuerySpec Checkpointer() {
  QuerySpec q;
  q.collector = "stat_checkpointer";
  q.prefix = "pg_stat_checkpointer_";
  q.sql =
      "SELECT num_timed AS num_timed_total, num_requested AS num_requested_total, "
      "restartpoints_timed AS restartpoints_timed_total, "
      "restartpoints_req AS restartpoints_req_total, "
      "restartpoints_done AS restartpoints_done_total, write_time AS write_time_total, "
      "sync_time AS sync_time_total, buffers_written AS buffers_written_total, "
      "COALESCE(floor(extract(epoch from stats_reset)), 0) AS stats_reset_total "
      "FROM pg_stat_checkpointer";
  q.values = {
      {"num_timed_total", kCounter, "Number of scheduled checkpoints due to timeout."},
      {"num_requested_total", kCounter,
       "Number of requested checkpoints that have been performed."},
      {"restartpoints_timed_total", kCounter,
       "Number of scheduled restartpoints due to timeout or after a failed attempt."},
      {"restartpoints_req_total", kCounter, "Number of requested restartpoints."},
      {"restartpoints_done_total", kCounter, "Number of restartpoints that have been performed."},
      {"write_time_total", kCounter,
       "Time spent writing files to disk by checkpoints and restartpoints, in milliseconds."},
      {"sync_time_total", kCounter,
       "Time spent synchronizing files to disk by checkpoints and restartpoints, in "
       "milliseconds."},
      {"buffers_written_total", kCounter,
       "Number of buffers written during checkpoints and restartpoints."},
      {"stats_reset_total", kCounter, "Time at which these statistics were last reset."},
  };
  return q;
}

QuerySpec StatUserTables() {
  QuerySpec q;
  q.collector = "stat_user_tables";
  q.prefix = "pg_stat_user_tables_";
  q.labels = {"datname", "schemaname", "relname"};
  auto epoch = [](const char* col) {
    return std::string("COALESCE(floor(extract(epoch from ") + col + ")), 0) AS " + col;
  };
  q.sql =
      "SELECT current_database() AS datname, schemaname, relname, seq_scan, seq_tup_read, "
      "COALESCE(idx_scan, 0) AS idx_scan, COALESCE(idx_tup_fetch, 0) AS idx_tup_fetch, "
      "n_tup_ins, n_tup_upd, n_tup_del, n_tup_hot_upd, n_live_tup, n_dead_tup, "
      "n_mod_since_analyze, " +
      epoch("last_vacuum") + ", " + epoch("last_autovacuum") + ", " + epoch("last_analyze") + ", " +
      epoch("last_autoanalyze") +
      ", vacuum_count, autovacuum_count, analyze_count, autoanalyze_count, "
      "pg_indexes_size(relid) AS index_size_bytes, pg_table_size(relid) AS table_size_bytes "
      "FROM pg_stat_user_tables";
  q.values = {
      {"seq_scan", kCounter, "Number of sequential scans initiated on this table."},
      {"seq_tup_read", kCounter, "Number of live rows fetched by sequential scans."},
      {"idx_scan", kCounter, "Number of index scans initiated on this table."},
      {"idx_tup_fetch", kCounter, "Number of live rows fetched by index scans."},
      {"n_tup_ins", kCounter, "Number of rows inserted."},
      {"n_tup_upd", kCounter, "Number of rows updated."},
      {"n_tup_del", kCounter, "Number of rows deleted."},
      {"n_tup_hot_upd", kCounter, "Number of rows HOT updated."},
      {"n_live_tup", kGauge, "Estimated number of live rows."},
      {"n_dead_tup", kGauge, "Estimated number of dead rows."},
      {"n_mod_since_analyze", kGauge, "Estimated number of rows changed since last analyze."},
      {"last_vacuum", kGauge, "Last time at which this table was manually vacuumed."},
      {"last_autovacuum", kGauge, "Last time at which this table was vacuumed by autovacuum."},
      {"last_analyze", kGauge, "Last time at which this table was manually analyzed."},
      {"last_autoanalyze", kGauge, "Last time at which this table was analyzed by autovacuum."},
      {"vacuum_count", kCounter, "Number of times this table has been manually vacuumed."},
      {"autovacuum_count", kCounter, "Number of times this table has been vacuumed by autovacuum."},
      {"analyze_count", kCounter, "Number of times this table has been manually analyzed."},
      {"autoanalyze_count", kCounter,
       "Number of times this table has been analyzed by autovacuum."},
      {"index_size_bytes", kGauge, "Total disk space used by this table's indexes, in bytes."},
      {"table_size_bytes", kGauge, "Total disk space used by this table, in bytes."},
  };
  return q;
}

QuerySpec StatStatements(const ServerFeatures& s, size_t limit) {
  QuerySpec q;
  q.collector = "stat_statements";
  q.prefix = "pg_stat_statements_";
  q.labels = {"user", "datname", "queryid"};
  std::string total = s.version_num >= 130000 ? "total_exec_time" : "total_time";
  std::string read = s.version_num >= 170000 ? "shared_blk_read_time" : "blk_read_time";
  std::string write = s.version_num >= 170000 ? "shared_blk_write_time" : "blk_write_time";
  // postgres_exporter's top-N (statements above the 10th percentile of total time, by total
  // time), summed over the rows that share (user, database, queryid) -- since PG 14 top-level
  // and nested executions are separate rows, which would otherwise be duplicate series.
  q.sql =
      "SELECT pg_get_userbyid(s.userid) AS user, d.datname, s.queryid::text AS queryid, "
      "sum(s.calls) AS calls_total, sum(s." +
      total + ") / 1000.0 AS seconds_total, sum(s.rows) AS rows_total, sum(s." + read +
      ") / 1000.0 AS block_read_seconds_total, sum(s." + write +
      ") / 1000.0 AS block_write_seconds_total "
      "FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid "
      "WHERE s.queryid IS NOT NULL AND s." +
      total + " > (SELECT percentile_cont(0.1) WITHIN GROUP (ORDER BY " + total +
      ") FROM pg_stat_statements) "
      "GROUP BY 1, 2, 3 ORDER BY seconds_total DESC LIMIT " +
      std::to_string(limit);
  q.values = {
      {"calls_total", kCounter, "Number of times executed."},
      {"seconds_total", kCounter, "Total time spent in the statement, in seconds."},
      {"rows_total", kCounter, "Total number of rows retrieved or affected by the statement."},
      {"block_read_seconds_total", kCounter,
       "Total time the statement spent reading blocks, in seconds."},
      {"block_write_seconds_total", kCounter,
       "Total time the statement spent writing blocks, in seconds."},
  };
  return q;
}

QuerySpec Settings() {
  QuerySpec q;
  q.collector = "settings";
  q.kind = QuerySpec::Kind::kSettings;
  q.prefix = "pg_settings_";
  q.sql =
      "SELECT name, setting, COALESCE(unit, '') AS unit, vartype FROM pg_settings "
      "WHERE vartype IN ('bool', 'integer', 'real') "
      "AND name NOT IN ('sync_commit_cancel_wait', 'google_dataplex.max_messages')";
  return q;
}

}  // namespace

const std::string& ProbeSql() {
  static const std::string kSql =
      "SELECT version() AS version, current_setting('server_version_num') AS version_num, "
      "extract(epoch from pg_postmaster_start_time()) AS start_time, "
      "pg_is_in_recovery() AS in_recovery, "
      "EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements') "
      "AS has_stat_statements";
  return kSql;
}

std::vector<QuerySpec> SelectQueries(const ServerFeatures& server, const QueryOptions& options) {
  std::vector<QuerySpec> out;
  out.push_back(StatDatabase(server));
  out.push_back(StatDatabaseConflicts());
  out.push_back(StatActivity());
  out.push_back(Locks());
  out.push_back(Replication());
  out.push_back(StatReplication());
  out.push_back(Database());
  out.push_back(Bgwriter(server));
  if (server.version_num >= 170000) out.push_back(Checkpointer());
  out.push_back(StatUserTables());
  if (server.has_stat_statements && options.stat_statements_limit > 0) {
    out.push_back(StatStatements(server, options.stat_statements_limit));
  }
  out.push_back(Settings());
  return out;
}

std::string ShortVersion(int v) {
  if (v >= 100000) return std::to_string(v / 10000) + "." + std::to_string(v % 10000) + ".0";
  return std::to_string(v / 10000) + "." + std::to_string(v / 100 % 100) + "." +
         std::to_string(v % 100);
}

}  // namespace tocsin::postgres
