// Binders for Alertmanager 0.25's configuration schema (config/config.go, config/notifiers.go,
// timeinterval/) into notifiers/config.h's AlertingConfig. Used for an alertmanager.yml named by
// `alerting.config_file` (the whole document) and for the inline `alerting:` form (its route,
// inhibit_rules, receivers, time_intervals and global).
//
// Every key of Alertmanager's schema is recognised. A key tocsin implements is bound; a key it
// does not implement is a positioned error naming it ("... is an Alertmanager setting tocsin
// does not implement"), never silently dropped; anything else is an "unknown key", as amtool
// would also refuse it. Pure functions over MapReader; not synchronised.
#pragma once

#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "agent/config/map_reader.h"
#include "notifiers/config.h"

namespace tocsin {

// How the document was written: an alertmanager.yml must stay amtool-valid, so tocsin's own
// extensions (rate_limit, severity_map, log_configs, ...) are refused there.
enum class AmDialect { kAlertmanagerFile, kTocsinInline };

// Alertmanager's `global:` block: defaults that receivers without their own value inherit.
struct AmGlobalConfig {
  std::optional<std::chrono::milliseconds> resolve_timeout;
  HttpClientConfig http_config;
  SecretString slack_api_url;
  std::string pagerduty_url = kPagerDutyDefaultUrl;
  std::string opsgenie_api_url = "https://api.opsgenie.com/";
  SecretString opsgenie_api_key;
  SmtpDefaults smtp;
};

// Reports each of `keys` that is present as a key tocsin does not implement (and consumes it).
void RejectUnimplemented(MapReader& r, std::initializer_list<std::string_view> keys);

// `key` inline or `file_key` (a secret file); both at once is Alertmanager's "at most one of"
// error. Returns true when either was given.
bool BindSecret(MapReader& r, std::string_view key, std::string_view file_key, SecretString* out);

void BindAmGlobal(MapReader& r, AmGlobalConfig& global);
// `receivers` and `time_intervals` are the defined names, for reference checks.
void BindAmRoute(MapReader& r, RouteConfig& route, const std::set<std::string>& receivers,
                 const std::set<std::string>& time_intervals, bool root);
void BindAmInhibitRule(MapReader& r, InhibitRuleConfig& rule);
// `time_intervals` (key = "time_intervals") or the deprecated `mute_time_intervals`: a list of
// {name, time_intervals: [...]}; names must be unique across both.
void BindAmTimeIntervals(MapReader& r, std::string_view key,
                         std::map<std::string, std::vector<TimeIntervalConfig>>& out);
void BindAmReceiver(MapReader& r, ReceiverConfig& receiver, const AmGlobalConfig& global,
                    AmDialect dialect);
// `templates:` globs (relative to the config's directory), each match read and parsed as
// Alertmanager does at load; a glob that matches nothing is allowed (as Alertmanager's
// FromGlobs). A template error names the file and line.
void BindAmTemplates(MapReader& r, std::vector<TemplateFileConfig>& out);
// The http_config block (prometheus/common's HTTPClientConfig).
void BindHttpClientConfig(MapReader& r, HttpClientConfig& http);
// prometheus/common's tls_config (http_config's, and email_configs' own).
void BindTlsConfig(MapReader& r, TlsClientConfig& tls);

}  // namespace tocsin
