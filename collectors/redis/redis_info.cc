#include "collectors/redis/redis_info.h"

#include <charconv>
#include <cmath>
#include <map>
#include <set>

namespace tocsin::redis {
namespace {

// redis_exporter's renames (exporter/exporter.go metricMapGauges / metricMapCounters, plus the
// fields its 1.45 release added). Fields not listed here are not exported, as there.
const std::map<std::string_view, std::string_view>& GaugeMap() {
  static const std::map<std::string_view, std::string_view> kMap = {
      // Server
      {"uptime_in_seconds", "uptime_in_seconds"},
      {"process_id", "process_id"},
      {"io_threads_active", "io_threads_active"},
      // Clients
      {"connected_clients", "connected_clients"},
      {"blocked_clients", "blocked_clients"},
      {"tracking_clients", "tracking_clients"},
      {"clients_in_timeout_table", "clients_in_timeout_table"},
      {"client_longest_output_list", "client_longest_output_list"},
      {"client_biggest_input_buf", "client_biggest_input_buf"},
      {"client_recent_max_output_buffer", "client_recent_max_output_buffer_bytes"},
      {"client_recent_max_input_buffer", "client_recent_max_input_buffer_bytes"},
      // Memory
      {"allocator_active", "allocator_active_bytes"},
      {"allocator_allocated", "allocator_allocated_bytes"},
      {"allocator_resident", "allocator_resident_bytes"},
      {"allocator_frag_ratio", "allocator_frag_ratio"},
      {"allocator_frag_bytes", "allocator_frag_bytes"},
      {"allocator_rss_ratio", "allocator_rss_ratio"},
      {"allocator_rss_bytes", "allocator_rss_bytes"},
      {"used_memory", "memory_used_bytes"},
      {"used_memory_rss", "memory_used_rss_bytes"},
      {"used_memory_peak", "memory_used_peak_bytes"},
      {"used_memory_lua", "memory_used_lua_bytes"},
      {"used_memory_overhead", "memory_used_overhead_bytes"},
      {"used_memory_startup", "memory_used_startup_bytes"},
      {"used_memory_dataset", "memory_used_dataset_bytes"},
      {"used_memory_scripts", "memory_used_scripts_bytes"},
      {"maxmemory", "memory_max_bytes"},
      {"mem_fragmentation_ratio", "mem_fragmentation_ratio"},
      {"mem_fragmentation_bytes", "mem_fragmentation_bytes"},
      {"mem_clients_slaves", "mem_clients_slaves"},
      {"mem_clients_normal", "mem_clients_normal"},
      {"mem_not_counted_for_evict", "mem_not_counted_for_eviction_bytes"},
      {"lazyfree_pending_objects", "lazyfree_pending_objects"},
      {"active_defrag_running", "active_defrag_running"},
      {"number_of_cached_scripts", "number_of_cached_scripts"},
      {"expired_stale_perc", "expired_stale_percentage"},
      {"migrate_cached_sockets", "migrate_cached_sockets_total"},
      {"active_defrag_hits", "defrag_hits"},
      {"active_defrag_misses", "defrag_misses"},
      {"active_defrag_key_hits", "defrag_key_hits"},
      {"active_defrag_key_misses", "defrag_key_misses"},
      {"expired_time_cap_reached_count", "expired_time_cap_reached_total"},
      // Persistence
      {"loading", "loading_dump_file"},
      {"rdb_changes_since_last_save", "rdb_changes_since_last_save"},
      {"rdb_bgsave_in_progress", "rdb_bgsave_in_progress"},
      {"rdb_last_save_time", "rdb_last_save_timestamp_seconds"},
      {"rdb_last_bgsave_status", "rdb_last_bgsave_status"},
      {"rdb_last_bgsave_time_sec", "rdb_last_bgsave_duration_sec"},
      {"rdb_current_bgsave_time_sec", "rdb_current_bgsave_duration_sec"},
      {"rdb_last_cow_size", "rdb_last_cow_size_bytes"},
      {"aof_enabled", "aof_enabled"},
      {"aof_rewrite_in_progress", "aof_rewrite_in_progress"},
      {"aof_rewrite_scheduled", "aof_rewrite_scheduled"},
      {"aof_last_rewrite_time_sec", "aof_last_rewrite_duration_sec"},
      {"aof_current_rewrite_time_sec", "aof_current_rewrite_duration_sec"},
      {"aof_last_cow_size", "aof_last_cow_size_bytes"},
      {"aof_current_size", "aof_current_size_bytes"},
      {"aof_base_size", "aof_base_size_bytes"},
      {"aof_pending_rewrite", "aof_pending_rewrite"},
      {"aof_buffer_length", "aof_buffer_length"},
      {"aof_rewrite_buffer_length", "aof_rewrite_buffer_length"},
      {"aof_pending_bio_fsync", "aof_pending_bio_fsync"},
      {"aof_delayed_fsync", "aof_delayed_fsync"},
      {"aof_last_bgrewrite_status", "aof_last_bgrewrite_status"},
      {"aof_last_write_status", "aof_last_write_status"},
      {"module_fork_in_progress", "module_fork_in_progress"},
      {"module_fork_last_cow_size", "module_fork_last_cow_size"},
      // Stats
      {"pubsub_channels", "pubsub_channels"},
      {"pubsub_patterns", "pubsub_patterns"},
      {"latest_fork_usec", "latest_fork_usec"},
      {"tracking_total_keys", "tracking_total_keys"},
      {"tracking_total_items", "tracking_total_items"},
      {"tracking_total_prefixes", "tracking_total_prefixes"},
      {"total_reads_processed", "total_reads_processed"},
      {"total_writes_processed", "total_writes_processed"},
      {"io_threaded_reads_processed", "io_threaded_reads_processed"},
      {"io_threaded_writes_processed", "io_threaded_writes_processed"},
      {"total_error_replies", "total_error_replies"},
      {"unexpected_error_replies", "unexpected_error_replies"},
      {"dump_payload_sanitizations", "dump_payload_sanitizations"},
      // Replication
      {"connected_slaves", "connected_slaves"},
      {"repl_backlog_size", "replication_backlog_bytes"},
      {"repl_backlog_active", "repl_backlog_is_active"},
      {"repl_backlog_first_byte_offset", "repl_backlog_first_byte_offset"},
      {"repl_backlog_histlen", "repl_backlog_history_bytes"},
      {"master_repl_offset", "master_repl_offset"},
      {"second_repl_offset", "second_repl_offset"},
      {"slave_expires_tracked_keys", "slave_expires_tracked_keys"},
      {"slave_priority", "slave_priority"},
      {"sync_full", "replica_resyncs_full"},
      {"sync_partial_ok", "replica_partial_resync_accepted"},
      {"sync_partial_err", "replica_partial_resync_denied"},
      // Cluster
      {"cluster_stats_messages_sent", "cluster_messages_sent_total"},
      {"cluster_stats_messages_received", "cluster_messages_received_total"},
  };
  return kMap;
}

const std::map<std::string_view, std::string_view>& CounterMap() {
  static const std::map<std::string_view, std::string_view> kMap = {
      {"total_connections_received", "connections_received_total"},
      {"total_commands_processed", "commands_processed_total"},
      {"rejected_connections", "rejected_connections_total"},
      {"total_net_input_bytes", "net_input_bytes_total"},
      {"total_net_output_bytes", "net_output_bytes_total"},
      {"expired_keys", "expired_keys_total"},
      {"evicted_keys", "evicted_keys_total"},
      {"keyspace_hits", "keyspace_hits_total"},
      {"keyspace_misses", "keyspace_misses_total"},
      {"used_cpu_sys", "cpu_sys_seconds_total"},
      {"used_cpu_user", "cpu_user_seconds_total"},
      {"used_cpu_sys_children", "cpu_sys_children_seconds_total"},
      {"used_cpu_user_children", "cpu_user_children_seconds_total"},
      {"used_cpu_sys_main_thread", "cpu_sys_main_thread_seconds_total"},
      {"used_cpu_user_main_thread", "cpu_user_main_thread_seconds_total"},
  };
  return kMap;
}

std::optional<double> Number(std::string_view v) {
  if (v == "ok" || v == "true") return 1.0;
  if (v == "err" || v == "fail" || v == "false") return 0.0;
  if (v.empty()) return std::nullopt;
  double d = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
  if (ec != std::errc() || p != v.data() + v.size()) return std::nullopt;
  return d;
}

// "keys=2,expires=1,avg_ttl=80396" -> {{"keys","2"}, ...}
std::map<std::string, std::string, std::less<>> KeyValues(std::string_view s) {
  std::map<std::string, std::string, std::less<>> out;
  while (!s.empty()) {
    size_t comma = s.find(',');
    std::string_view kv = s.substr(0, comma);
    size_t eq = kv.find('=');
    if (eq != std::string_view::npos) out[std::string(kv.substr(0, eq))] = kv.substr(eq + 1);
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

class Writer {
 public:
  Writer(Appender& out, const std::vector<Label>& base) : out_(out), base_(base) {}

  void Add(std::string_view name, MetricType type, std::string_view help, std::vector<Label> labels,
           double value) {
    if (!status_.ok()) return;
    std::string full = "redis_" + std::string(name);
    std::string_view family = full;
    if (type == MetricType::kCounter && family.ends_with("_total")) family.remove_suffix(6);
    if (families_.emplace(family).second) {
      Metadata md;
      md.type = type;
      md.help = std::string(help);
      out_.SetMetadata(family, md);
    }
    for (const Label& l : base_) labels.push_back(l);
    labels.push_back(Label{std::string(kMetricNameLabel), std::move(full)});
    status_ = out_.Add(Labels::FromUnsorted(std::move(labels)), value);
  }
  const Status& status() const { return status_; }

 private:
  Appender& out_;
  const std::vector<Label>& base_;
  std::set<std::string, std::less<>> families_;
  Status status_;
};

void EmitKeyspace(const Info& info, int databases, Writer& w) {
  std::set<int> seen;
  for (const InfoEntry& e : info.entries) {
    if (!e.field.starts_with("db") || e.section != "Keyspace") continue;
    auto kv = KeyValues(e.value);
    int n = std::atoi(e.field.c_str() + 2);
    seen.insert(n);
    if (auto v = Number(kv["keys"])) {
      w.Add("db_keys", MetricType::kGauge, "Total number of keys by DB", {{"db", e.field}}, *v);
    }
    if (auto v = Number(kv["expires"])) {
      w.Add("db_keys_expiring", MetricType::kGauge, "Total number of expiring keys by DB",
            {{"db", e.field}}, *v);
    }
    if (auto v = Number(kv["avg_ttl"])) {
      w.Add("db_avg_ttl_seconds", MetricType::kGauge, "Avg TTL in seconds", {{"db", e.field}},
            *v / 1000);
    }
  }
  // redis_exporter zero-fills every configured database (CONFIG GET databases).
  for (int n = 0; n < databases; ++n) {
    if (seen.count(n) != 0) continue;
    std::string db = "db" + std::to_string(n);
    w.Add("db_keys", MetricType::kGauge, "Total number of keys by DB", {{"db", db}}, 0);
    w.Add("db_keys_expiring", MetricType::kGauge, "Total number of expiring keys by DB",
          {{"db", db}}, 0);
  }
}

void EmitCommandStats(const InfoEntry& e, Writer& w) {
  // cmdstat_get:calls=2,usec=8,usec_per_call=4.00,rejected_calls=0,failed_calls=0
  std::string cmd = e.field.substr(std::string_view("cmdstat_").size());
  auto kv = KeyValues(e.value);
  if (auto v = Number(kv["calls"])) {
    w.Add("commands_total", MetricType::kCounter, "Total number of calls per command",
          {{"cmd", cmd}}, *v);
  }
  if (auto v = Number(kv["usec"])) {
    w.Add("commands_duration_seconds_total", MetricType::kCounter,
          "Total amount of time in seconds spent per command", {{"cmd", cmd}}, *v / 1e6);
  }
  if (auto v = Number(kv["rejected_calls"])) {
    w.Add("commands_rejected_calls_total", MetricType::kCounter,
          "Total number of errors prior command execution per command", {{"cmd", cmd}}, *v);
  }
  if (auto v = Number(kv["failed_calls"])) {
    w.Add("commands_failed_calls_total", MetricType::kCounter,
          "Total number of errors within command execution per command", {{"cmd", cmd}}, *v);
  }
}

void EmitReplication(const Info& info, Writer& w) {
  std::string master_host(info.Get("master_host")), master_port(info.Get("master_port"));
  if (info.Get("role") == "slave") {
    std::vector<Label> m = {{"master_host", master_host}, {"master_port", master_port}};
    w.Add("master_link_up", MetricType::kGauge, "Master link status on Redis slave", m,
          info.Get("master_link_status") == "up" ? 1 : 0);
    if (auto v = Number(info.Get("master_last_io_seconds_ago"))) {
      w.Add("master_last_io_seconds_ago", MetricType::kGauge, "Master last io seconds ago", m, *v);
    }
    if (auto v = Number(info.Get("master_sync_in_progress"))) {
      w.Add("master_sync_in_progress", MetricType::kGauge, "Master sync in progress", m, *v);
    }
    if (auto v = Number(info.Get("slave_repl_offset"))) {
      w.Add("slave_repl_offset", MetricType::kGauge, "Slave replication offset", m, *v);
    }
    w.Add("slave_info", MetricType::kGauge, "Information about the Redis slave",
          {{"master_host", master_host},
           {"master_port", master_port},
           {"read_only", std::string(info.Get("slave_read_only"))}},
          1);
  }
  for (const InfoEntry& e : info.entries) {
    // slave0:ip=127.0.0.1,port=6380,state=online,offset=14,lag=0
    if (e.section != "Replication" || !e.field.starts_with("slave") ||
        e.field.find_first_not_of("0123456789", 5) != std::string::npos || e.field.size() == 5) {
      continue;
    }
    auto kv = KeyValues(e.value);
    std::vector<Label> l = {
        {"slave_ip", kv["ip"]}, {"slave_port", kv["port"]}, {"slave_state", kv["state"]}};
    if (auto v = Number(kv["offset"])) {
      w.Add("connected_slave_offset_bytes", MetricType::kGauge, "Offset of connected slave", l, *v);
    }
    if (auto v = Number(kv["lag"])) {
      w.Add("connected_slave_lag_seconds", MetricType::kGauge, "Lag of connected slave", l, *v);
    }
  }
}

}  // namespace

std::string_view Info::Get(std::string_view field) const {
  for (const InfoEntry& e : entries) {
    if (e.field == field) return e.value;
  }
  return "";
}

Info ParseInfo(std::string_view text) {
  Info info;
  std::string section;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (line.starts_with("# ")) {
      section = std::string(line.substr(2));
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) continue;
    info.entries.push_back(
        {section, std::string(line.substr(0, colon)), std::string(line.substr(colon + 1))});
  }
  return info;
}

Status EmitInfo(const Info& info, const EmitOptions& options, Appender& out) {
  Writer w(out, options.base_labels);
  for (const InfoEntry& e : info.entries) {
    if (auto g = GaugeMap().find(e.field); g != GaugeMap().end()) {
      if (auto v = Number(e.value)) {
        w.Add(g->second, MetricType::kGauge, std::string(g->second) + " metric", {}, *v);
      }
    } else if (auto c = CounterMap().find(e.field); c != CounterMap().end()) {
      if (auto v = Number(e.value)) {
        w.Add(c->second, MetricType::kCounter, std::string(c->second) + " metric", {}, *v);
      }
    } else if (e.field.starts_with("cmdstat_")) {
      EmitCommandStats(e, w);
    } else if (e.field.starts_with("errorstat_")) {
      auto kv = KeyValues(e.value);
      if (auto v = Number(kv["count"])) {
        w.Add("errors_total", MetricType::kCounter, "Total number of errors per error type",
              {{"err", e.field.substr(10)}}, *v);
      }
    } else if (e.field.starts_with("cluster_") && e.section == "Cluster") {
      if (auto v = Number(e.value)) {
        w.Add(e.field, MetricType::kGauge, e.field + " metric", {}, *v);
      }
    }
  }
  EmitKeyspace(info, options.databases, w);
  EmitReplication(info, w);

  auto label = [&](const char* f) { return Label{f, std::string(info.Get(f))}; };
  w.Add("instance_info", MetricType::kGauge, "Information about the Redis instance",
        {label("role"), label("redis_version"), label("redis_build_id"), label("redis_mode"),
         label("os"), label("maxmemory_policy"), label("tcp_port"), label("run_id"),
         label("process_id")},
        1);
  if (auto up = Number(info.Get("uptime_in_seconds"))) {
    double now = options.now_seconds;
    if (auto usec = Number(info.Get("server_time_usec"))) now = std::floor(*usec / 1e6);
    w.Add("start_time_seconds", MetricType::kGauge,
          "Start time of the Redis instance since unix epoch in seconds.", {}, now - *up);
  }
  return w.status();
}

}  // namespace tocsin::redis
