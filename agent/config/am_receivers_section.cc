// Alertmanager's receivers and global defaults (config/notifiers.go, config.go's
// Config.UnmarshalYAML): the integrations tocsin delivers to (pagerduty, slack, opsgenie,
// msteams, email, webhook, and tocsin's log), Alertmanager's defaults propagated from `global` as
// Alertmanager does, and every other integration recognised and refused by name.
#include <cctype>
#include <string>

#include "agent/config/am_schema.h"
#include "agent/core/host_port.h"
#include "notifiers/template/template_check.h"

namespace tocsin {
namespace {

// Integrations Alertmanager 0.25 has that tocsin does not deliver to.
constexpr std::string_view kUnimplementedIntegrations[] = {
    "discord_configs", "wechat_configs",   "pushover_configs", "victorops_configs",
    "sns_configs",     "telegram_configs", "webex_configs"};

Status MustBePdSeverity(const std::string& s) {
  if (s == "critical" || s == "error" || s == "warning" || s == "info") return Status::Ok();
  return InvalidArgument("\"" + s + "\" must be one of critical, error, warning, info");
}

// A notification template field: it must parse (with Alertmanager's functions).
Status MustBeTemplate(const std::string& s) { return CheckNotificationTemplate(s); }

Status MustBeNonNegativeNumber(const std::string& s) {
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size() || !(v >= 0)) {
    return InvalidArgument("\"" + s + "\" must be a non-negative number");
  }
  return Status::Ok();
}

void BindNumber(MapReader& r, std::string_view key, double* out) {
  std::string raw;
  if (r.String(key, &raw, MustBeNonNegativeNumber)) *out = std::strtod(raw.c_str(), nullptr);
}

void BindRateLimit(MapReader& r, RateLimitConfig& rate) {
  r.Section("rate_limit", [&](MapReader& s) {
    BindNumber(s, "per_second", &rate.per_second);
    BindNumber(s, "burst", &rate.burst);
    if (rate.burst < 1) s.ErrorAtKey("burst", "must be at least 1");
  });
}

// An integration's own http_config, else the global one (Alertmanager copies it in).
void BindIntegrationHttpConfig(MapReader& r, const AmGlobalConfig& global, HttpClientConfig& out) {
  out = global.http_config;
  r.Section("http_config", [&](MapReader& s) {
    out = HttpClientConfig();
    BindHttpClientConfig(s, out);
  });
}

// Keys tocsin adds to Alertmanager's integration schemas; refused in an alertmanager.yml so
// that the file stays valid for amtool and Alertmanager.
void BindTocsinExtensions(MapReader& r, AmDialect dialect, std::chrono::milliseconds* timeout,
                          RateLimitConfig* rate) {
  if (dialect == AmDialect::kAlertmanagerFile) return;
  r.Duration("timeout", timeout, MustBePositive);
  BindRateLimit(r, *rate);
}

void BindPagerDuty(MapReader& r, PagerDutyConfig& c, const AmGlobalConfig& global,
                   AmDialect dialect) {
  if (dialect == AmDialect::kTocsinInline) c = TocsinPagerDutyConfig();
  c.url = global.pagerduty_url;
  BindIntegrationHttpConfig(r, global, c.http_config);
  r.Bool("send_resolved", &c.send_resolved);
  bool routing = BindSecret(r, "routing_key", "routing_key_file", &c.routing_key);
  bool service = BindSecret(r, "service_key", "service_key_file", &c.service_key);
  r.String("description", &c.description, MustBeTemplate);
  bool explicit_url = r.String("url", &c.url, MustBeHttpUrl);
  if (service && !explicit_url) c.url = kPagerDutyV1Url;
  if (routing && service) {
    r.ErrorAtKey("service_key", "at most one of routing_key and service_key must be configured");
  }
  if (service) {
    // Alertmanager accepts any v1 service key text.
  } else if (!routing &&
             (r.Take("routing_key_file") != nullptr || r.Take("service_key_file") != nullptr)) {
    // An unreadable key file was already reported.
  } else if (!routing) {
    r.ErrorAtKey("", "missing service or routing key in PagerDuty config");
  } else if (dialect == AmDialect::kTocsinInline && c.routing_key.value.size() != 32) {
    r.ErrorAtKey(c.routing_key.source_file.empty() ? "routing_key" : "routing_key_file",
                 "the integration key must be 32 characters (PagerDuty Events v2)");
  }
  r.String("client", &c.client, MustBeTemplate);
  r.String("client_url", &c.client_url, MustBeTemplate);
  r.String("source", &c.source, MustBeTemplate);
  // Alertmanager: the source defaults to the client; a fixed severity defaults to "error".
  if (dialect == AmDialect::kAlertmanagerFile && c.source.empty()) c.source = c.client;
  bool has_severity = r.String("severity", &c.severity, [](const std::string& s) {
    Status parsed = MustBeTemplate(s);
    if (!parsed.ok() || s.find("{{") != std::string::npos) return parsed;
    return MustBePdSeverity(s);
  });
  if (dialect == AmDialect::kAlertmanagerFile && !has_severity) c.severity = "error";
  r.String("component", &c.component, MustBeTemplate);
  r.String("group", &c.group, MustBeTemplate);
  r.String("class", &c.class_name, MustBeTemplate);
  std::map<std::string, std::string> details;
  if (r.StringMap("details", &details)) {
    for (auto& [k, v] : details) {
      Status parsed = MustBeTemplate(v);
      if (!parsed.ok()) r.ErrorAtKey("details", "\"" + k + "\": " + parsed.message());
      c.details[k] = v;  // Alertmanager keeps its four defaults unless replaced
    }
  }
  r.List<PagerDutyImageConfig>("images", &c.images, [](MapReader& s, PagerDutyImageConfig& i) {
    s.String("src", &i.src, MustBeTemplate);
    s.String("alt", &i.alt, MustBeTemplate);
    s.String("href", &i.href, MustBeTemplate);
  });
  r.List<PagerDutyLinkConfig>("links", &c.links, [](MapReader& s, PagerDutyLinkConfig& l) {
    s.String("href", &l.href, MustBeTemplate);
    s.String("text", &l.text, MustBeTemplate);
  });
  if (dialect == AmDialect::kTocsinInline) {
    r.String("severity_label", &c.severity_label, MustBeLabelName);
    std::map<std::string, std::string> severity_map;
    if (r.StringMap("severity_map", &severity_map)) {
      for (const auto& [k, v] : severity_map) {
        if (!MustBePdSeverity(v).ok()) {
          r.ErrorAtKey("severity_map", "value for \"" + k + "\": " + MustBePdSeverity(v).message());
        }
      }
      c.severity_map = severity_map;
    }
    r.String("default_severity", &c.default_severity, MustBePdSeverity);
  }
  BindTocsinExtensions(r, dialect, &c.timeout, &c.rate_limit);
}

void BindSlackField(MapReader& r, SlackFieldConfig& f) {
  if (!r.String("title", &f.title, MustBeTemplate) || f.title.empty()) {
    r.ErrorAtKey("title", "missing title in Slack field configuration");
  }
  if (!r.String("value", &f.value, MustBeTemplate) || f.value.empty()) {
    r.ErrorAtKey("value", "missing value in Slack field configuration");
  }
  bool short_field = false;
  if (r.Bool("short", &short_field)) f.short_field = short_field;
}

void BindSlackAction(MapReader& r, SlackActionConfig& a) {
  for (auto [key, field] :
       std::initializer_list<std::pair<std::string_view, std::string*>>{{"type", &a.type},
                                                                        {"text", &a.text},
                                                                        {"url", &a.url},
                                                                        {"style", &a.style},
                                                                        {"name", &a.name},
                                                                        {"value", &a.value}}) {
    r.String(key, field, MustBeTemplate);
  }
  r.Section("confirm", [&](MapReader& s) {
    SlackConfirmConfig confirm;
    s.String("text", &confirm.text, MustBeTemplate);
    s.String("title", &confirm.title, MustBeTemplate);
    s.String("ok_text", &confirm.ok_text, MustBeTemplate);
    s.String("dismiss_text", &confirm.dismiss_text, MustBeTemplate);
    if (confirm.text.empty())
      s.ErrorAtKey("text", "missing text in Slack confirmation configuration");
    a.confirm = confirm;
  });
  if (a.type.empty()) r.ErrorAtKey("type", "missing type in Slack action configuration");
  if (a.text.empty()) r.ErrorAtKey("text", "missing text in Slack action configuration");
  if (!a.url.empty()) {
    // A link button: Alertmanager clears the message-action fields.
    a.name.clear();
    a.value.clear();
    a.confirm.reset();
  } else if (a.name.empty()) {
    r.ErrorAtKey("", "missing name or url in Slack action configuration");
  }
}

void BindSlack(MapReader& r, SlackConfig& c, const AmGlobalConfig& global, AmDialect dialect) {
  if (dialect == AmDialect::kTocsinInline) c = TocsinSlackConfig();
  BindIntegrationHttpConfig(r, global, c.http_config);
  r.Bool("send_resolved", &c.send_resolved);
  if (!BindSecret(r, "api_url", "api_url_file", &c.api_url)) {
    if (global.slack_api_url.empty()) {
      r.ErrorAtKey("", "no global Slack API URL set either inline or in a file");
    }
    c.api_url = global.slack_api_url;
  }
  if (!c.api_url.empty() && !MustBeHttpUrl(c.api_url.value).ok()) {
    r.ErrorAtKey(c.api_url.source_file.empty() ? "api_url" : "api_url_file",
                 "must be an http:// or https:// URL");
  }
  for (auto [key, field] : std::initializer_list<std::pair<std::string_view, std::string*>>{
           {"channel", &c.channel},
           {"username", &c.username},
           {"color", &c.color},
           {"title", &c.title},
           {"title_link", &c.title_link},
           {"pretext", &c.pretext},
           {"text", &c.text},
           {"footer", &c.footer},
           {"fallback", &c.fallback},
           {"callback_id", &c.callback_id},
           {"icon_emoji", &c.icon_emoji},
           {"icon_url", &c.icon_url},
           {"image_url", &c.image_url},
           {"thumb_url", &c.thumb_url}}) {
    r.String(key, field, MustBeTemplate);
  }
  r.List<SlackFieldConfig>("fields", &c.fields, BindSlackField);
  r.Bool("short_fields", &c.short_fields);
  r.StringList("mrkdwn_in", &c.mrkdwn_in);
  r.Bool("link_names", &c.link_names);
  r.List<SlackActionConfig>("actions", &c.actions, BindSlackAction);
  BindTocsinExtensions(r, dialect, &c.timeout, &c.rate_limit);
}

void BindWebhook(MapReader& r, WebhookConfig& c, const AmGlobalConfig& global, AmDialect dialect) {
  BindIntegrationHttpConfig(r, global, c.http_config);
  r.Bool("send_resolved", &c.send_resolved);
  bool inline_url = r.String("url", &c.url.value, MustBeHttpUrl);
  if (dialect == AmDialect::kTocsinInline) {
    Secret from_file;
    if (r.SecretFile("url_file", &from_file)) {
      if (inline_url) r.ErrorAtKey("url_file", "url and url_file are mutually exclusive");
      c.url.value = from_file.value;
      c.url.source_file = from_file.source_file;
    }
  }
  if (c.url.empty()) r.ErrorAtKey("url", "one of url or url_file is required");
  r.UInt("max_alerts", &c.max_alerts);
  BindTocsinExtensions(r, dialect, &c.timeout, &c.rate_limit);
}

void BindOpsGenie(MapReader& r, OpsGenieConfig& c, const AmGlobalConfig& global,
                  AmDialect dialect) {
  BindIntegrationHttpConfig(r, global, c.http_config);
  r.Bool("send_resolved", &c.send_resolved);
  if (!BindSecret(r, "api_key", "api_key_file", &c.api_key)) {
    if (global.opsgenie_api_key.empty()) {
      r.ErrorAtKey("", "no global OpsGenie API Key set either inline or in a file");
    }
    c.api_key = global.opsgenie_api_key;
  }
  c.api_url = global.opsgenie_api_url;
  r.String("api_url", &c.api_url, MustBeHttpUrl);
  if (!c.api_url.ends_with('/')) c.api_url += '/';
  for (auto [key, field] : std::initializer_list<std::pair<std::string_view, std::string*>>{
           {"message", &c.message},
           {"description", &c.description},
           {"source", &c.source},
           {"entity", &c.entity},
           {"actions", &c.actions},
           {"tags", &c.tags},
           {"note", &c.note},
           {"priority", &c.priority}}) {
    r.String(key, field, MustBeTemplate);
  }
  std::map<std::string, std::string> details;
  if (r.StringMap("details", &details)) {
    for (const auto& [k, v] : details) {
      Status parsed = MustBeTemplate(v);
      if (!parsed.ok()) r.ErrorAtKey("details", "\"" + k + "\": " + parsed.message());
    }
    c.details = details;
  }
  r.List<OpsGenieResponderConfig>(
      "responders", &c.responders, [](MapReader& s, OpsGenieResponderConfig& rc) {
        s.String("id", &rc.id, MustBeTemplate);
        s.String("name", &rc.name, MustBeTemplate);
        s.String("username", &rc.username, MustBeTemplate);
        s.String("type", &rc.type, [](const std::string& t) {
          if (t.find("{{") != std::string::npos) return MustBeTemplate(t);
          std::string lower;
          for (char ch : t)
            lower += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
          if (lower == "team" || lower == "teams" || lower == "user" || lower == "escalation" ||
              lower == "schedule") {
            return Status::Ok();
          }
          return InvalidArgument(
              "type does not match valid options "
              "^(team|teams|user|escalation|schedule)$");
        });
        if (rc.id.empty() && rc.name.empty() && rc.username.empty()) {
          s.ErrorAtKey("",
                       "opsGenieConfig responder has to have at least one of id, username or "
                       "name specified");
        }
      });
  r.Bool("update_alerts", &c.update_alerts);
  BindTocsinExtensions(r, dialect, &c.timeout, &c.rate_limit);
}

// Alertmanager 0.26's msteams_configs (and 0.27's webhook_url_file).
void BindMsTeams(MapReader& r, MsTeamsConfig& c, const AmGlobalConfig& global, AmDialect dialect) {
  BindIntegrationHttpConfig(r, global, c.http_config);
  r.Bool("send_resolved", &c.send_resolved);
  if (!BindSecret(r, "webhook_url", "webhook_url_file", &c.webhook_url)) {
    r.ErrorAtKey("", "no msteams webhook URL provided");
  } else if (!MustBeHttpUrl(c.webhook_url.value).ok()) {
    r.ErrorAtKey(c.webhook_url.source_file.empty() ? "webhook_url" : "webhook_url_file",
                 "must be an http:// or https:// URL");
  }
  r.String("title", &c.title, MustBeTemplate);
  r.String("text", &c.text, MustBeTemplate);
  BindTocsinExtensions(r, dialect, &c.timeout, &c.rate_limit);
}

// Go's textproto.CanonicalMIMEHeaderKey: "x-team" -> "X-Team"; a name with a character no
// header name may hold is returned unchanged.
std::string CanonicalMimeHeaderKey(const std::string& key) {
  for (char ch : key) {
    bool token = std::isalnum(static_cast<unsigned char>(ch)) ||
                 std::string_view("!#$%&'*+-.^_`|~").find(ch) != std::string_view::npos;
    if (!token) return key;
  }
  std::string out = key;
  bool upper = true;
  for (char& ch : out) {
    ch = static_cast<char>(upper ? std::toupper(static_cast<unsigned char>(ch))
                                 : std::tolower(static_cast<unsigned char>(ch)));
    upper = ch == '-';
  }
  return out;
}

// Alertmanager's email_configs; what is unset comes from global.smtp_* (Config.UnmarshalYAML).
void BindEmail(MapReader& r, EmailConfig& c, const AmGlobalConfig& global, AmDialect dialect) {
  r.Bool("send_resolved", &c.send_resolved);
  if (!r.String("to", &c.to, MustBeTemplate) || c.to.empty()) {
    r.ErrorAtKey("to", "missing to address in email config");
  }
  bool has_from = r.String("from", &c.from, MustBeTemplate) && !c.from.empty();
  if (!has_from) {
    if (global.smtp.from.empty()) r.ErrorAtKey("", "no global SMTP from set");
    c.from = global.smtp.from;
  }
  c.hello = global.smtp.hello;
  std::string hello;
  if (r.String("hello", &hello) && !hello.empty()) c.hello = hello;
  std::string smarthost = global.smtp.smarthost;
  std::string own_smarthost;
  if (r.String("smarthost", &own_smarthost, MustBeTarget) && !own_smarthost.empty()) {
    smarthost = own_smarthost;
  }
  if (smarthost.empty()) {
    r.ErrorAtKey("", "no global SMTP smarthost set");
  } else if (auto hp = ParseHostPort(smarthost); hp.ok()) {
    c.smarthost_host = hp->host;
    c.smarthost_port = hp->port;
  }
  c.auth_username = global.smtp.auth_username;
  std::string username;
  if (r.String("auth_username", &username) && !username.empty()) c.auth_username = username;
  if (!BindSecret(r, "auth_password", "auth_password_file", &c.auth_password) ||
      c.auth_password.empty()) {
    c.auth_password = global.smtp.auth_password;
  }
  std::string secret;
  c.auth_secret = global.smtp.auth_secret;
  if (r.String("auth_secret", &secret) && !secret.empty()) c.auth_secret.value = secret;
  c.auth_identity = global.smtp.auth_identity;
  std::string identity;
  if (r.String("auth_identity", &identity) && !identity.empty()) c.auth_identity = identity;
  std::map<std::string, std::string> headers;
  if (r.StringMap("headers", &headers)) {
    for (const auto& [name, value] : headers) {
      Status parsed = MustBeTemplate(value);
      if (!parsed.ok()) r.ErrorAtKey("headers", "\"" + name + "\": " + parsed.message());
      std::string canonical = CanonicalMimeHeaderKey(name);
      if (!c.headers.emplace(canonical, value).second) {
        r.ErrorAtKey("headers", "duplicate header \"" + canonical + "\" in email config");
      }
    }
  }
  r.String("html", &c.html, MustBeTemplate);
  r.String("text", &c.text, MustBeTemplate);
  c.require_tls = global.smtp.require_tls;
  r.Bool("require_tls", &c.require_tls);
  r.Section("tls_config", [&](MapReader& s) { BindTlsConfig(s, c.tls); });
  BindTocsinExtensions(r, dialect, &c.timeout, &c.rate_limit);
}

}  // namespace

// `key` inline or `key_file`; both at once is Alertmanager's "at most one of" error. Returns
// true when either was given.
bool BindSecret(MapReader& r, std::string_view key, std::string_view file_key, SecretString* out) {
  std::string inline_value;
  bool has_inline = r.String(key, &inline_value);
  Secret from_file;
  bool has_file = r.SecretFile(file_key, &from_file);
  if (has_inline && has_file) {
    r.ErrorAtKey(file_key, "at most one of " + std::string(key) + " & " + std::string(file_key) +
                               " must be configured");
  }
  if (has_inline) {
    out->value = inline_value;
    out->source_file.clear();
  } else if (has_file) {
    out->value = from_file.value;
    out->source_file = from_file.source_file;
  }
  return has_inline || has_file;
}

void BindAmGlobal(MapReader& r, AmGlobalConfig& g) {
  std::chrono::milliseconds resolve{0};
  if (r.Duration("resolve_timeout", &resolve, MustBePositive)) g.resolve_timeout = resolve;
  BindSecret(r, "slack_api_url", "slack_api_url_file", &g.slack_api_url);
  r.String("pagerduty_url", &g.pagerduty_url, MustBeHttpUrl);
  r.String("opsgenie_api_url", &g.opsgenie_api_url, MustBeHttpUrl);
  BindSecret(r, "opsgenie_api_key", "opsgenie_api_key_file", &g.opsgenie_api_key);
  r.String("smtp_from", &g.smtp.from);
  r.String("smtp_hello", &g.smtp.hello);
  r.String("smtp_smarthost", &g.smtp.smarthost,
           [](const std::string& s) { return s.empty() ? Status::Ok() : MustBeTarget(s); });
  r.String("smtp_auth_username", &g.smtp.auth_username);
  BindSecret(r, "smtp_auth_password", "smtp_auth_password_file", &g.smtp.auth_password);
  std::string secret;
  if (r.String("smtp_auth_secret", &secret)) g.smtp.auth_secret.value = secret;
  r.String("smtp_auth_identity", &g.smtp.auth_identity);
  r.Bool("smtp_require_tls", &g.smtp.require_tls);
  // Defaults for integrations tocsin does not deliver to: they change nothing unless a
  // receiver of that kind exists, and such a receiver is itself refused. Checked as
  // Alertmanager checks them, then unused.
  std::string unused;
  for (const char* url_key :
       {"wechat_api_url", "victorops_api_url", "telegram_api_url", "webex_api_url"}) {
    r.String(url_key, &unused, MustBeHttpUrl);
  }
  r.String("wechat_api_secret", &unused);
  r.String("wechat_api_corp_id", &unused);
  SecretString unused_secret;
  BindSecret(r, "victorops_api_key", "victorops_api_key_file", &unused_secret);
  r.Section("http_config", [&](MapReader& s) { BindHttpClientConfig(s, g.http_config); });
}

void BindAmReceiver(MapReader& r, ReceiverConfig& c, const AmGlobalConfig& global,
                    AmDialect dialect) {
  if (!r.String("name", &c.name) || c.name.empty()) {
    r.ErrorAtKey("name", "missing name in receiver");
  }
  r.List<PagerDutyConfig>(
      "pagerduty_configs", &c.pagerduty_configs,
      [&](MapReader& s, PagerDutyConfig& p) { BindPagerDuty(s, p, global, dialect); });
  r.List<SlackConfig>("slack_configs", &c.slack_configs,
                      [&](MapReader& s, SlackConfig& sc) { BindSlack(s, sc, global, dialect); });
  r.List<OpsGenieConfig>(
      "opsgenie_configs", &c.opsgenie_configs,
      [&](MapReader& s, OpsGenieConfig& o) { BindOpsGenie(s, o, global, dialect); });
  r.List<MsTeamsConfig>("msteams_configs", &c.msteams_configs, [&](MapReader& s, MsTeamsConfig& m) {
    BindMsTeams(s, m, global, dialect);
  });
  r.List<EmailConfig>("email_configs", &c.email_configs,
                      [&](MapReader& s, EmailConfig& e) { BindEmail(s, e, global, dialect); });
  r.List<WebhookConfig>("webhook_configs", &c.webhook_configs, [&](MapReader& s, WebhookConfig& w) {
    BindWebhook(s, w, global, dialect);
  });
  if (dialect == AmDialect::kTocsinInline) {
    r.List<LogReceiverConfig>(
        "log_configs", &c.log_configs,
        [](MapReader& s, LogReceiverConfig& l) { s.Bool("send_resolved", &l.send_resolved); });
  }
  for (std::string_view key : kUnimplementedIntegrations) RejectUnimplemented(r, {key});
}

}  // namespace tocsin
