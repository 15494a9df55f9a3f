#include "agent/config/alerting_section.h"

#include <charconv>
#include <set>
#include <string>

#include "agent/core/labels.h"
#include "agent/core/matcher_parser.h"

namespace tocsin {
namespace {

using std::chrono::milliseconds;

Status MustBeMatchers(const std::string& s) { return ParseMatchers(s).status(); }

Status MustBeGroupByName(const std::string& s) {
  if (s == "..." || IsValidLabelName(s)) return Status::Ok();
  return InvalidArgument("\"" + s + "\" is not a valid label name (or \"...\")");
}

Status MustBePdSeverity(const std::string& s) {
  if (s == "critical" || s == "error" || s == "warning" || s == "info") return Status::Ok();
  return InvalidArgument("\"" + s + "\" must be one of critical, error, warning, info");
}

Status MustBeNonNegativeNumber(const std::string& s) {
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || !(v >= 0)) {
    return InvalidArgument("\"" + s + "\" must be a non-negative number");
  }
  return Status::Ok();
}

void BindMatchers(MapReader& r, std::string_view key, std::vector<LabelMatcher>* out) {
  std::vector<std::string> raw;
  if (!r.StringList(key, &raw, MustBeMatchers)) return;
  for (const std::string& s : raw) {
    auto ms = ParseMatchers(s);
    if (ms.ok()) out->insert(out->end(), ms->begin(), ms->end());
  }
}

void BindNumber(MapReader& r, std::string_view key, double* out) {
  std::string raw;
  if (!r.String(key, &raw, MustBeNonNegativeNumber)) return;
  std::from_chars(raw.data(), raw.data() + raw.size(), *out);
}

void BindRateLimit(MapReader& r, RateLimitConfig& rate) {
  r.Section("rate_limit", [&](MapReader& s) {
    BindNumber(s, "per_second", &rate.per_second);
    BindNumber(s, "burst", &rate.burst);
    if (rate.burst < 1) s.ErrorAtKey("burst", "must be at least 1");
  });
}

void BindOptionalDuration(MapReader& r, std::string_view key, std::optional<milliseconds>* out,
                          bool positive) {
  milliseconds d{0};
  if (r.Duration(
          key, &d,
          positive ? ValueCheck<milliseconds>(MustBePositive) : ValueCheck<milliseconds>())) {
    *out = d;
  }
}

void BindRoute(MapReader& r, RouteConfig& route, const std::set<std::string>& receivers,
               bool root) {
  if (r.String("receiver", &route.receiver) && !receivers.contains(route.receiver)) {
    r.ErrorAtKey("receiver", "undefined receiver \"" + route.receiver + "\" used in route");
  }
  std::vector<std::string> group_by;
  if (r.StringList("group_by", &group_by, MustBeGroupByName)) {
    bool all = std::find(group_by.begin(), group_by.end(), "...") != group_by.end();
    if (all && group_by.size() > 1) {
      r.ErrorAtKey("group_by", "cannot have \"...\" and other labels at the same time");
    }
    route.group_by = group_by;
  }
  r.Bool("continue", &route.continue_matching);
  BindMatchers(r, "matchers", &route.matchers);
  BindOptionalDuration(r, "group_wait", &route.group_wait, false);
  BindOptionalDuration(r, "group_interval", &route.group_interval, true);
  BindOptionalDuration(r, "repeat_interval", &route.repeat_interval, true);
  if (root) {
    if (route.receiver.empty()) r.ErrorAtKey("receiver", "root route must specify a receiver");
    if (!route.matchers.empty()) r.ErrorAtKey("matchers", "root route must not have matchers");
    if (route.continue_matching) r.ErrorAtKey("continue", "cannot have continue in root route");
  }
  r.List<RouteConfig>("routes", &route.routes, [&](MapReader& child, RouteConfig& c) {
    BindRoute(child, c, receivers, false);
  });
}

void BindSecretInto(MapReader& r, std::string_view key, SecretString* out) {
  Secret secret;
  if (r.SecretFile(key, &secret)) {
    out->value = secret.value;
    out->source_file = secret.source_file;
  }
}

void BindPagerDuty(MapReader& r, PagerDutyConfig& c) {
  r.Bool("send_resolved", &c.send_resolved);
  BindSecretInto(r, "routing_key_file", &c.routing_key);
  if (c.routing_key.empty()) {
    r.ErrorAtKey("routing_key_file", "required (a file holding the 32-character integration key)");
  } else if (c.routing_key.value.size() != 32) {
    r.ErrorAtKey("routing_key_file",
                 "the integration key in the file must be 32 characters (PagerDuty Events v2)");
  }
  r.String("url", &c.url, MustBeHttpUrl);
  r.String("client", &c.client);
  r.String("client_url", &c.client_url);
  r.String("source", &c.source);
  r.String("severity", &c.severity, MustBePdSeverity);
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
  r.String("component", &c.component);
  r.String("group", &c.group);
  r.String("class", &c.class_name);
  r.Duration("timeout", &c.timeout, MustBePositive);
  BindRateLimit(r, c.rate_limit);
}

void BindSlack(MapReader& r, SlackConfig& c) {
  r.Bool("send_resolved", &c.send_resolved);
  BindSecretInto(r, "api_url_file", &c.api_url);
  if (c.api_url.empty()) {
    r.ErrorAtKey("api_url_file", "required (a file holding the incoming webhook URL)");
  } else if (!MustBeHttpUrl(c.api_url.value).ok()) {
    r.ErrorAtKey("api_url_file", "the file must hold an http:// or https:// URL");
  }
  r.String("channel", &c.channel);
  r.String("username", &c.username);
  r.String("icon_emoji", &c.icon_emoji);
  r.String("icon_url", &c.icon_url);
  r.String("title_link", &c.title_link);
  r.Bool("link_names", &c.link_names);
  r.Duration("timeout", &c.timeout, MustBePositive);
  BindRateLimit(r, c.rate_limit);
}

void BindWebhook(MapReader& r, WebhookConfig& c) {
  r.Bool("send_resolved", &c.send_resolved);
  bool inline_url = r.String("url", &c.url.value, MustBeHttpUrl);
  BindSecretInto(r, "url_file", &c.url);
  if (inline_url && !c.url.source_file.empty()) {
    r.ErrorAtKey("url_file", "url and url_file are mutually exclusive");
  } else if (c.url.empty()) {
    r.ErrorAtKey("url", "one of url or url_file is required");
  }
  r.UInt("max_alerts", &c.max_alerts);
  r.Duration("timeout", &c.timeout, MustBePositive);
  BindRateLimit(r, c.rate_limit);
}

void BindReceiver(MapReader& r, ReceiverConfig& c) {
  if (!r.String("name", &c.name) || c.name.empty()) r.ErrorAtKey("name", "required");
  r.List<PagerDutyConfig>("pagerduty_configs", &c.pagerduty_configs, BindPagerDuty);
  r.List<SlackConfig>("slack_configs", &c.slack_configs, BindSlack);
  r.List<WebhookConfig>("webhook_configs", &c.webhook_configs, BindWebhook);
  r.List<LogReceiverConfig>("log_configs", &c.log_configs, [](MapReader& s, LogReceiverConfig& l) {
    s.Bool("send_resolved", &l.send_resolved);
  });
}

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

}  // namespace

void BindAlerting(MapReader& r, AlertingConfig& alerting) {
  alerting = AlertingConfig();
  r.List<ReceiverConfig>("receivers", &alerting.receivers, BindReceiver);
  std::set<std::string> names;
  for (const ReceiverConfig& rc : alerting.receivers) {
    if (!rc.name.empty() && !names.insert(rc.name).second) {
      r.ErrorAtKey("receivers", "receiver \"" + rc.name + "\" is defined twice");
    }
  }
  bool has_route =
      r.Section("route", [&](MapReader& s) { BindRoute(s, alerting.route, names, /*root=*/true); });
  if (!has_route) {
    // Forward-only setups need no route: local notifications go to the log receiver.
    alerting.route.receiver = kDefaultReceiverName;
    if (!names.contains(kDefaultReceiverName)) {
      alerting.receivers.push_back(DefaultAlertingConfig().receivers.front());
    }
  }
  r.List<InhibitRuleConfig>("inhibit_rules", &alerting.inhibit_rules,
                            [](MapReader& s, InhibitRuleConfig& rule) {
                              BindMatchers(s, "source_matchers", &rule.source_matchers);
                              BindMatchers(s, "target_matchers", &rule.target_matchers);
                              s.StringList("equal", &rule.equal, MustBeLabelName);
                            });
  r.List<AlertmanagerTargetsConfig>("alertmanagers", &alerting.alertmanagers, BindAlertmanager);
  r.String("external_url", &alerting.external_url, MustBeHttpUrl);
  r.Duration("resolve_timeout", &alerting.resolve_timeout, MustBePositive);
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
