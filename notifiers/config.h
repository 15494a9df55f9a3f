// Plain structs for the `alerting:` section: Alertmanager's route tree, inhibit rules and
// receivers (the supported subset), Prometheus's `alertmanagers`, and tocsin's delivery knobs.
//
// Produced by the config loader (agent/config/alerting_section.*) or built directly by tests.
// Every field carries Alertmanager's / Prometheus's default. Secrets (routing keys, webhook URLs)
// are SecretString values that print as "<secret>". Plain values: copy freely; not synchronised.
#pragma once

#include <chrono>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/core/matcher.h"

namespace tocsin {

// A secret (routing key, webhook URL); operator<< prints "<secret>" so it never reaches a log.
struct SecretString {
  std::string value;
  std::string source_file;  // where it was read from, for messages
  bool empty() const { return value.empty(); }
};
std::ostream& operator<<(std::ostream& os, const SecretString& s);

// prometheus/common's TLSConfig (tls_config of http_config and of email_configs).
struct TlsClientConfig {
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  std::string server_name;  // empty: the host connected to
  bool insecure_skip_verify = false;
  std::string min_version;  // TLS10..TLS13; empty = library default
};

// prometheus/common's HTTPClientConfig (http_config), the parts tocsin applies to a request.
struct HttpClientConfig {
  std::string basic_auth_username;
  SecretString basic_auth_password;
  // `authorization: {type, credentials}`; bearer_token(_file) is type "Bearer".
  std::string authorization_type;
  SecretString authorization_credentials;
  TlsClientConfig tls;
  std::string proxy_url;
  bool follow_redirects = true;
  bool enable_http2 = true;
};

// Alertmanager's global smtp_* defaults (email_configs inherit them).
struct SmtpDefaults {
  std::string from;
  std::string hello = "localhost";
  std::string smarthost;  // host:port
  std::string auth_username;
  SecretString auth_password;
  SecretString auth_secret;
  std::string auth_identity;
  bool require_tls = true;
};

// Route defaults (Alertmanager dispatch/route.go DefaultRouteOpts).
inline constexpr std::chrono::milliseconds kDefaultGroupWait = std::chrono::seconds(30);
inline constexpr std::chrono::milliseconds kDefaultGroupInterval = std::chrono::minutes(5);
inline constexpr std::chrono::milliseconds kDefaultRepeatInterval = std::chrono::hours(4);

// One entry of an Alertmanager time interval (timeinterval.TimeInterval): an instant is inside
// when every non-empty list has a range containing it (in `location`, UTC when empty).
struct InclusiveRange {
  int begin = 0;
  int end = 0;
};
struct TimeRangeConfig {
  int start_minute = 0;  // minutes since midnight, inclusive
  int end_minute = 0;    // exclusive; 1440 = "24:00"
};
struct TimeIntervalConfig {
  std::vector<TimeRangeConfig> times;
  std::vector<InclusiveRange> weekdays;       // 0 = Sunday
  std::vector<InclusiveRange> days_of_month;  // 1..31, or -31..-1 counted from the month's end
  std::vector<InclusiveRange> months;         // 1..12
  std::vector<InclusiveRange> years;
  std::string location;  // IANA zone name ("Europe/Berlin", "Local"); empty = UTC
};

struct RouteConfig {
  std::string receiver;  // empty: inherited from the parent (required on the root)
  // Unset: inherited. ["..."] groups by all labels (every alert its own group).
  std::optional<std::vector<std::string>> group_by;
  bool continue_matching = false;      // YAML `continue`
  std::vector<LabelMatcher> matchers;  // all must match; the root has none
  std::optional<std::chrono::milliseconds> group_wait;
  std::optional<std::chrono::milliseconds> group_interval;
  std::optional<std::chrono::milliseconds> repeat_interval;
  // Names from AlertingConfig::time_intervals; not inherited by child routes (Alertmanager).
  std::vector<std::string> mute_time_intervals;
  std::vector<std::string> active_time_intervals;
  std::vector<RouteConfig> routes;
};

struct InhibitRuleConfig {
  std::vector<LabelMatcher> source_matchers;
  std::vector<LabelMatcher> target_matchers;
  std::vector<std::string> equal;
};

// Delivery limits of one integration; the dispatcher enforces them (not the notifier).
struct RateLimitConfig {
  double per_second = 0;  // 0 = unlimited
  double burst = 1;
};

inline constexpr const char* kPagerDutyDefaultUrl = "https://events.pagerduty.com/v2/enqueue";
// Events API v1, used for `service_key` (Alertmanager posts v1 events here whatever `url` says).
inline constexpr const char* kPagerDutyV1Url =
    "https://events.pagerduty.com/generic/2010-04-15/create_event.json";

struct PagerDutyImageConfig {
  std::string src, alt, href;  // templates
};
struct PagerDutyLinkConfig {
  std::string href, text;  // templates
};

// The text fields are notification templates; the defaults are Alertmanager's
// (DefaultPagerdutyConfig, DefaultPagerdutyDetails). TocsinPagerDutyConfig() gives the inline
// dialect's.
struct PagerDutyConfig {
  bool send_resolved = true;
  SecretString routing_key;  // Events API v2 integration key (32 characters)
  // Events API v1 service key (Alertmanager's `service_key`); when set, events are v1-shaped
  // (service_key, event_type, incident_key, description, details, client, client_url) and go
  // to `url`, which then defaults to kPagerDutyV1Url. Exactly one of the two keys is set.
  SecretString service_key;
  std::string description = R"({{ template "pagerduty.default.description" .}})";
  std::string url = kPagerDutyDefaultUrl;  // EU: https://events.eu.pagerduty.com/v2/enqueue
  std::string client = R"({{ template "pagerduty.default.client" . }})";
  std::string client_url = R"({{ template "pagerduty.default.clientURL" . }})";
  std::string source;  // expands empty: this host's name, else the client
  // A fixed severity (template); empty: from severity_label via severity_map.
  std::string severity;
  std::string severity_label = "severity";
  // Label value -> PagerDuty severity. Values not listed that are already one of
  // critical|error|warning|info pass through; anything else becomes default_severity.
  std::map<std::string, std::string> severity_map = {
      {"page", "critical"}, {"err", "error"}, {"warn", "warning"}, {"none", "info"}};
  std::string default_severity = "error";  // Alertmanager's default
  std::string component;                   // template; empty: omitted
  std::string group;
  std::string class_name;  // YAML `class`
  // custom_details (v2) / details (v1): name -> template.
  std::map<std::string, std::string> details = {
      {"firing", R"({{ template "pagerduty.default.instances" .Alerts.Firing }})"},
      {"resolved", R"({{ template "pagerduty.default.instances" .Alerts.Resolved }})"},
      {"num_firing", R"({{ .Alerts.Firing | len }})"},
      {"num_resolved", R"({{ .Alerts.Resolved | len }})"}};
  std::vector<PagerDutyImageConfig> images;
  std::vector<PagerDutyLinkConfig> links;
  // payload.timestamp = the notification's creation time (tocsin: a page delivered late from
  // the durable queue still shows when it happened). Alertmanager sends none.
  bool send_timestamp = false;
  HttpClientConfig http_config;  // its own, else global.http_config
  std::chrono::milliseconds timeout = std::chrono::seconds(10);
  RateLimitConfig rate_limit{2, 20};  // ~120 events/min per routing key
};

// One of Slack's attachment fields; title and value are templates.
struct SlackFieldConfig {
  std::string title;
  std::string value;
  std::optional<bool> short_field;  // unset: SlackConfig::short_fields
};

// A message button (Alertmanager's SlackAction); every field is a template. A link button has
// `url`; an interactive one has `name`/`value` and may ask for confirmation.
struct SlackConfirmConfig {
  std::string text, title, ok_text, dismiss_text;
};
struct SlackActionConfig {
  std::string type, text, url, style, name, value;
  std::optional<SlackConfirmConfig> confirm;
};

// The text fields are notification templates (notifiers/template); the defaults are
// Alertmanager's (config/notifiers.go DefaultSlackConfig). TocsinSlackConfig() gives the
// defaults of tocsin's inline dialect.
struct SlackConfig {
  bool send_resolved = false;
  SecretString api_url;  // the incoming webhook URL
  std::string channel;
  std::string username = R"({{ template "slack.default.username" . }})";
  std::string color = R"({{ if eq .Status "firing" }}danger{{ else }}good{{ end }})";
  std::string title = R"({{ template "slack.default.title" . }})";
  std::string title_link = R"({{ template "slack.default.titlelink" . }})";
  std::string pretext = R"({{ template "slack.default.pretext" . }})";
  std::string text = R"({{ template "slack.default.text" . }})";
  std::vector<SlackFieldConfig> fields;
  bool short_fields = false;
  std::string footer = R"({{ template "slack.default.footer" . }})";
  std::string fallback = R"({{ template "slack.default.fallback" . }})";
  std::string callback_id = R"({{ template "slack.default.callbackid" . }})";
  std::string icon_emoji = R"({{ template "slack.default.iconemoji" . }})";
  std::string icon_url = R"({{ template "slack.default.iconurl" . }})";
  std::string image_url;
  std::string thumb_url;
  std::vector<std::string> mrkdwn_in;  // empty: fallback, pretext, text
  std::vector<SlackActionConfig> actions;
  bool link_names = false;
  HttpClientConfig http_config;  // its own, else global.http_config
  std::chrono::milliseconds timeout = std::chrono::seconds(10);
  RateLimitConfig rate_limit{1, 1};  // Slack: at most one message per second per webhook
};

struct OpsGenieResponderConfig {
  std::string id, name, username, type;  // templates; type team|teams|user|escalation|schedule
};

// Alertmanager's opsgenie_configs (DefaultOpsGenieConfig); text fields are templates.
struct OpsGenieConfig {
  bool send_resolved = true;
  SecretString api_key;  // its own, else global.opsgenie_api_key(_file)
  std::string api_url = "https://api.opsgenie.com/";  // always ends with '/'
  std::string message = R"({{ template "opsgenie.default.message" . }})";
  std::string description = R"({{ template "opsgenie.default.description" . }})";
  std::string source = R"({{ template "opsgenie.default.source" . }})";
  std::map<std::string, std::string> details;  // added to the common labels
  std::string entity;
  std::vector<OpsGenieResponderConfig> responders;
  std::string actions;  // comma-separated after expansion
  std::string tags;     // comma-separated after expansion
  std::string note;
  std::string priority;  // P1..P5 after expansion
  bool update_alerts = false;
  HttpClientConfig http_config;  // its own, else global.http_config
  std::chrono::milliseconds timeout = std::chrono::seconds(10);
  RateLimitConfig rate_limit{};
};

// Alertmanager 0.26's msteams_configs; title and text are templates.
struct MsTeamsConfig {
  bool send_resolved = true;
  SecretString webhook_url;  // the incoming-webhook URL (webhook_url or webhook_url_file)
  std::string title = R"({{ template "msteams.default.title" . }})";
  std::string text = R"({{ template "msteams.default.text" . }})";
  HttpClientConfig http_config;  // its own, else global.http_config
  std::chrono::milliseconds timeout = std::chrono::seconds(10);
  RateLimitConfig rate_limit{};
};

// Alertmanager's email_configs (DefaultEmailConfig); `global.smtp_*` fill what a config leaves
// unset. to/from/headers/text/html are templates (html under html/template escaping).
struct EmailConfig {
  bool send_resolved = false;
  std::string to;    // comma-separated address list after expansion (net/mail's syntax)
  std::string from;  // exactly one address after expansion
  std::string hello = "localhost";
  std::string smarthost_host;
  int smarthost_port = 0;      // 465: TLS from the first byte; otherwise STARTTLS per require_tls
  std::string auth_username;   // empty: no AUTH
  SecretString auth_password;  // PLAIN and LOGIN
  SecretString auth_secret;    // CRAM-MD5 (used only when there is no password)
  std::string auth_identity;   // PLAIN's authorisation identity
  // Canonical MIME header name ("Subject", "X-Team") -> template; Subject, To and From are
  // filled in as Alertmanager does when absent.
  std::map<std::string, std::string> headers;
  std::string html = R"({{ template "email.default.html" . }})";
  std::string text;  // empty: no text/plain part
  bool require_tls = true;
  TlsClientConfig tls;
  std::chrono::milliseconds timeout = std::chrono::seconds(30);
  RateLimitConfig rate_limit{};
};

struct WebhookConfig {
  bool send_resolved = true;
  SecretString url;
  size_t max_alerts = 0;         // 0 = all
  HttpClientConfig http_config;  // its own, else global.http_config
  std::chrono::milliseconds timeout = std::chrono::seconds(10);
  RateLimitConfig rate_limit{};
};

struct LogReceiverConfig {
  bool send_resolved = true;
};

struct ReceiverConfig {
  std::string name;
  std::vector<PagerDutyConfig> pagerduty_configs;
  std::vector<SlackConfig> slack_configs;
  std::vector<WebhookConfig> webhook_configs;
  std::vector<OpsGenieConfig> opsgenie_configs;
  std::vector<MsTeamsConfig> msteams_configs;
  std::vector<EmailConfig> email_configs;
  std::vector<LogReceiverConfig> log_configs;
};

// Prometheus's alertmanager_config (static targets only, API v2).
struct AlertmanagerTargetsConfig {
  std::vector<std::string> targets;  // host:port
  std::string scheme = "http";
  std::string path_prefix = "/";
  std::chrono::milliseconds timeout = std::chrono::seconds(10);
};

struct DeliveryConfig {
  size_t queue_capacity = 10000;  // per integration; oldest dropped first when full
  std::chrono::milliseconds initial_backoff = std::chrono::milliseconds(500);
  std::chrono::milliseconds max_backoff = std::chrono::minutes(5);
  std::chrono::milliseconds max_age = std::chrono::hours(6);  // give up on a notification this old
  int breaker_failures = 5;  // consecutive failures that open the breaker
  // How long the open breaker waits before a probe, and the longest wait between attempts: a
  // receiver that recovers gets its page within about this long.
  std::chrono::milliseconds breaker_cooldown = std::chrono::seconds(5);
};

// One file of `templates:` (a glob's match), read at config load.
struct TemplateFileConfig {
  std::string path;
  std::string text;
};

// tocsin's inline `alerting:` dialect: no "Alertmanager" username, a link to tocsin's own
// alert list, and one escaped line per alert as the text.
SlackConfig TocsinSlackConfig();
// tocsin's inline dialect: client "tocsin" linking to tocsin's external URL, the event's
// timestamp, and severity from the alerts' `severity` label.
PagerDutyConfig TocsinPagerDutyConfig();

struct AlertingConfig {
  // Alertmanager's `templates:`, in order; their {{define}}s join the default set.
  std::vector<TemplateFileConfig> templates;
  RouteConfig route;  // receiver defaults to the log receiver
  std::vector<InhibitRuleConfig> inhibit_rules;
  std::vector<ReceiverConfig> receivers;
  std::vector<AlertmanagerTargetsConfig> alertmanagers;
  // Alertmanager's top-level time_intervals (and the deprecated mute_time_intervals), by name.
  std::map<std::string, std::vector<TimeIntervalConfig>> time_intervals;
  DeliveryConfig delivery;
  // An alert received without endsAt resolves this long after it was last received
  // (Alertmanager's global.resolve_timeout).
  std::chrono::milliseconds resolve_timeout = std::chrono::minutes(5);
  std::string external_url;  // links back to tocsin (client_url, title_link); may be empty
  // Prometheus's notifier: queue capacity and batch size per Alertmanager.
  size_t alertmanager_queue_capacity = 10000;
  size_t alertmanager_batch_size = 256;
};

// The default when the config has no `alerting:` section: everything goes to a log receiver.
inline constexpr const char* kDefaultReceiverName = "log";
AlertingConfig DefaultAlertingConfig();

}  // namespace tocsin
