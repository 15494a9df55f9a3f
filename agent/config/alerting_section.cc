#include "agent/config/alerting_section.h"

#include <filesystem>
#include <set>
#include <string>

#include "agent/config/am_schema.h"
#include "agent/core/file_util.h"

namespace tocsin {
namespace {

Status MustBeScheme(const std::string& s) {
  if (s == "http" || s == "https") return Status::Ok();
  return InvalidArgument("must be http or https");
}

void BindAlertmanager(MapReader& r, AlertmanagerTargetsConfig& c) {
  std::vector<std::vector<std::string>> groups;
  r.List<std::vector<std::string>>("static_configs", &groups,
                                   [](MapReader& sc, std::vector<std::string>& targets) {
                                     sc.StringList("targets", &targets, MustBeTarget);
                                   });
  for (const auto& g : groups) c.targets.insert(c.targets.end(), g.begin(), g.end());
  if (c.targets.empty()) r.ErrorAtKey("static_configs", "at least one target is required");
  r.String("scheme", &c.scheme, MustBeScheme);
  r.String("path_prefix", &c.path_prefix);
  r.Duration("timeout", &c.timeout, MustBePositive);
}

// Alertmanager's document keys (config.Config), shared by an alertmanager.yml and the inline
// `alerting:` form. Returns whether a route was given. `has_global_resolve_timeout` tells the
// caller whether global.resolve_timeout was set.
bool BindAmDocument(MapReader& r, AlertingConfig& alerting, AmDialect dialect,
                    bool* has_global_resolve_timeout) {
  AmGlobalConfig global;
  r.Section("global", [&](MapReader& s) { BindAmGlobal(s, global); });
  if (global.resolve_timeout) alerting.resolve_timeout = *global.resolve_timeout;
  *has_global_resolve_timeout = global.resolve_timeout.has_value();

  BindAmTimeIntervals(r, "mute_time_intervals", alerting.time_intervals);
  BindAmTimeIntervals(r, "time_intervals", alerting.time_intervals);
  std::set<std::string> interval_names;
  for (const auto& [name, entries] : alerting.time_intervals) interval_names.insert(name);

  r.List<ReceiverConfig>("receivers", &alerting.receivers, [&](MapReader& s, ReceiverConfig& c) {
    BindAmReceiver(s, c, global, dialect);
  });
  std::set<std::string> names;
  for (const ReceiverConfig& rc : alerting.receivers) {
    if (!rc.name.empty() && !names.insert(rc.name).second) {
      r.ErrorAtKey("receivers", "notification config name \"" + rc.name + "\" is not unique");
    }
  }
  bool has_route = r.Section("route", [&](MapReader& s) {
    BindAmRoute(s, alerting.route, names, interval_names, /*root=*/true);
  });
  if (!has_route && dialect == AmDialect::kAlertmanagerFile) {
    r.ErrorAtKey("route", "no routes provided");
  }
  r.List<InhibitRuleConfig>("inhibit_rules", &alerting.inhibit_rules, BindAmInhibitRule);
  BindAmTemplates(r, alerting.templates);
  return has_route;
}

// Reads and binds `alerting.config_file`; its errors are reported against that file.
void LoadAlertmanagerFile(MapReader& r, const std::string& path, AlertingConfig& alerting,
                          bool* has_global_resolve_timeout) {
  Result<std::string> text = ReadWholeFile(path);
  if (!text.ok()) {
    r.ErrorAtKey("config_file", "cannot read Alertmanager config: " + text.status().message());
    return;
  }
  Result<YamlNode> document = ParseYaml(*text, path);
  if (!document.ok()) {
    r.ErrorAtKey("config_file", document.status().message());
    return;
  }
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::absolute(path, ec).parent_path();
  LoadContext context{ErrorList(path), ec ? std::string() : dir.string()};
  MapReader root(*document, "", context);
  BindAmDocument(root, alerting, AmDialect::kAlertmanagerFile, has_global_resolve_timeout);
  root.ReportUnknownKeys();
  r.context().errors.AddAll(context.errors);
}

}  // namespace

void BindAlerting(MapReader& r, AlertingConfig& alerting) {
  alerting = AlertingConfig();
  std::string config_file;
  bool has_global_resolve_timeout = false;
  bool has_route = false;
  if (r.Path("config_file", &config_file)) {
    for (const char* key : {"global", "route", "receivers", "inhibit_rules", "time_intervals",
                            "mute_time_intervals", "templates"}) {
      if (r.Take(key) != nullptr) {
        r.ErrorAtKey(key, "cannot be set inline together with alerting.config_file (set it in " +
                              config_file + ")");
      }
    }
    LoadAlertmanagerFile(r, config_file, alerting, &has_global_resolve_timeout);
    has_route = true;
  } else {
    has_route = BindAmDocument(r, alerting, AmDialect::kTocsinInline, &has_global_resolve_timeout);
  }
  if (!has_route) {
    // Forward-only setups need no route: local notifications go to the log receiver.
    alerting.route.receiver = kDefaultReceiverName;
    bool has_log = false;
    for (const ReceiverConfig& rc : alerting.receivers) has_log |= rc.name == kDefaultReceiverName;
    if (!has_log) alerting.receivers.push_back(DefaultAlertingConfig().receivers.front());
  }
  r.List<AlertmanagerTargetsConfig>("alertmanagers", &alerting.alertmanagers, BindAlertmanager);
  r.String("external_url", &alerting.external_url, MustBeHttpUrl);
  if (r.Duration("resolve_timeout", &alerting.resolve_timeout, MustBePositive) &&
      has_global_resolve_timeout) {
    r.ErrorAtKey("resolve_timeout", "set twice: also set as global.resolve_timeout");
  }
  r.Section("delivery", [&](MapReader& s) {
    DeliveryConfig& d = alerting.delivery;
    s.UInt("queue_capacity", &d.queue_capacity, MustBeAtLeastOne);
    s.Duration("initial_backoff", &d.initial_backoff, MustBePositive);
    s.Duration("max_backoff", &d.max_backoff, MustBePositive);
    s.Duration("max_age", &d.max_age, MustBePositive);
    size_t failures = static_cast<size_t>(d.breaker_failures);
    if (s.UInt("breaker_failures", &failures, MustBeAtLeastOne)) {
      d.breaker_failures = static_cast<int>(failures);
    }
    s.Duration("breaker_cooldown", &d.breaker_cooldown, MustBePositive);
  });
}

}  // namespace tocsin
