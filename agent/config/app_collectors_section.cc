#include "agent/config/app_collectors_section.h"

#include <charconv>
#include <set>
#include <string>

#include "agent/core/duration.h"
#include "agent/core/labels.h"
#include "agent/core/regex.h"

namespace tocsin {
namespace {

using std::chrono::milliseconds;

Status MustBeQuantile(const std::string& s) {
  double q = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), q);
  if (ec != std::errc() || end != s.data() + s.size() || !(q >= 0 && q <= 1)) {
    return InvalidArgument("quantile \"" + s + "\" must be a number in [0, 1]");
  }
  return Status::Ok();
}

void BindQuantiles(MapReader& r, std::vector<double>* out) {
  std::vector<std::string> raw;
  if (!r.StringList("quantiles", &raw, MustBeQuantile)) return;
  out->clear();
  for (const std::string& s : raw) {
    double q = 0;
    std::from_chars(s.data(), s.data() + s.size(), q);
    out->push_back(q);
  }
}

Status MustBeRegex(const std::string& pattern) {
  return Regex::Compile(pattern, Regex::Anchoring::kNone).status();
}

Status MustBeStatusCode(const std::string& s) {
  bool ok = s.size() == 3 && s[0] >= '1' && s[0] <= '5' &&
            ((s[1] == 'x' && s[2] == 'x') || (std::isdigit(static_cast<unsigned char>(s[1])) &&
                                              std::isdigit(static_cast<unsigned char>(s[2]))));
  if (ok) return Status::Ok();
  return InvalidArgument("status code \"" + s + "\" must be a code like 200 or a class like 2xx");
}

// Default timeout: Prometheus's 10s, but never longer than the interval.
milliseconds DefaultTimeout(milliseconds interval) {
  return std::min(interval, milliseconds(10000));
}

void CheckTimeout(MapReader& r, std::string_view key, milliseconds* timeout,
                  milliseconds interval) {
  if (timeout->count() == 0) {
    *timeout = DefaultTimeout(interval);
  } else if (*timeout > interval) {
    r.ErrorAtKey(key, "must not exceed the interval (" + FormatDuration(interval) + ")");
  }
}

void BindStaticConfig(MapReader& r, ScrapeStaticConfig& s) {
  r.StringList("targets", &s.targets, MustBeTarget);
  r.StringMap("labels", &s.labels, MustBeLabelName);
}

void BindScrapeConfig(MapReader& r, ScrapeConfig& c, const GlobalConfig& global) {
  if (!r.String("job_name", &c.job_name) || c.job_name.empty()) {
    r.ErrorAtKey("job_name", "is required");
  }
  r.Duration("scrape_interval", &c.scrape_interval, MustBePositive);
  r.Duration("scrape_timeout", &c.scrape_timeout, MustBePositive);
  r.String("metrics_path", &c.metrics_path, [](const std::string& p) {
    return p.starts_with('/') ? Status::Ok() : InvalidArgument("must start with /");
  });
  r.String("scheme", &c.scheme, [](const std::string& s) {
    return s == "http" || s == "https" ? Status::Ok() : InvalidArgument("must be http or https");
  });
  r.List<ScrapeStaticConfig>("static_configs", &c.static_configs, BindStaticConfig);
  r.Bool("honor_labels", &c.honor_labels);
  r.UInt("sample_limit", &c.sample_limit);
  r.UInt("body_size_limit", &c.body_size_limit, MustBeAtLeastOne);
  r.Section("tls_config", [&](MapReader& t) {
    t.Bool("insecure_skip_verify", &c.tls_config.insecure_skip_verify);
    t.Path("ca_file", &c.tls_config.ca_file);
  });
  r.Section("basic_auth", [&](MapReader& b) {
    b.String("username", &c.basic_auth_username);
    Secret password;
    if (b.SecretFile("password_file", &password)) c.basic_auth_password = password.value;
  });
  if (c.scrape_interval.count() == 0) c.scrape_interval = global.interval;
  CheckTimeout(r, "scrape_timeout", &c.scrape_timeout, c.scrape_interval);
}

void BindStatsd(MapReader& r, StatsdCollectorConfig& s) {
  s.enabled = true;
  r.String("listen_address", &s.listen_address,
           [](const std::string& a) { return a.empty() ? Status::Ok() : MustBeListenAddress(a); });
  r.Path("unix_socket_path", &s.unix_socket_path);
  BindQuantiles(r, &s.quantiles);
  r.Duration("window", &s.window, MustBePositive);
  r.Duration("interval", &s.interval, MustBePositive);
  r.UInt("max_series", &s.max_series, MustBeAtLeastOne);
  r.UInt("read_buffer", &s.read_buffer, MustBeAtLeastOne);
  if (s.listen_address.empty() && s.unix_socket_path.empty()) {
    r.ErrorAtKey("listen_address", "listen_address and unix_socket_path cannot both be empty");
  }
}

void BindProbe(MapReader& r, ProbeConfig& p, const GlobalConfig& global) {
  if (!r.String("name", &p.name) || p.name.empty()) r.ErrorAtKey("name", "is required");
  if (!r.String("url", &p.url, MustBeHttpUrl)) r.ErrorAtKey("url", "is required");
  r.String("method", &p.method, [](const std::string& m) {
    bool ok = !m.empty();
    for (char c : m) ok = ok && c >= 'A' && c <= 'Z';
    return ok ? Status::Ok() : InvalidArgument("must be an upper-case HTTP method");
  });
  r.StringMap("headers", &p.headers);
  r.String("body", &p.body);
  r.StringList("valid_status_codes", &p.valid_status_codes, MustBeStatusCode);
  r.StringList("fail_if_body_not_matches_regexp", &p.fail_if_body_not_matches_regexp, MustBeRegex);
  r.StringList("fail_if_body_matches_regexp", &p.fail_if_body_matches_regexp, MustBeRegex);
  r.Section("tls_config", [&](MapReader& t) {
    t.Bool("insecure_skip_verify", &p.insecure_skip_verify);
    t.Path("ca_file", &p.ca_file);
  });
  r.Duration("interval", &p.interval, MustBePositive);
  r.Duration("timeout", &p.timeout, MustBePositive);
  BindQuantiles(r, &p.quantiles);
  r.Duration("window", &p.window, MustBePositive);
  if (p.interval.count() == 0) p.interval = global.interval;
  CheckTimeout(r, "timeout", &p.timeout, p.interval);
}

void BindTextfile(MapReader& r, TextfileCollectorConfig& t) {
  t.enabled = true;
  if (!r.Path("directory", &t.directory)) r.ErrorAtKey("directory", "is required");
  r.Duration("interval", &t.interval, MustBePositive);
}

}  // namespace

void BindScrapeConfigs(MapReader& r, std::vector<ScrapeConfig>& out, const GlobalConfig& global) {
  r.List<ScrapeConfig>("scrape_configs", &out, [&](MapReader& item, ScrapeConfig& c) {
    BindScrapeConfig(item, c, global);
  });
  std::set<std::string> jobs;
  for (const ScrapeConfig& c : out) {
    if (!c.job_name.empty() && !jobs.insert(c.job_name).second) {
      r.ErrorAtKey("scrape_configs",
                   "found multiple scrape configs with job name \"" + c.job_name + "\"");
    }
  }
}

void BindAppCollectors(MapReader& r, CollectorsConfig& collectors, const GlobalConfig& global) {
  r.Section("statsd", [&](MapReader& s) { BindStatsd(s, collectors.statsd); });
  r.List<ProbeConfig>("probes", &collectors.probes,
                      [&](MapReader& item, ProbeConfig& p) { BindProbe(item, p, global); });
  std::set<std::string> names;
  for (const ProbeConfig& p : collectors.probes) {
    if (!p.name.empty() && !names.insert(p.name).second) {
      r.ErrorAtKey("probes", "found multiple probes named \"" + p.name + "\"");
    }
  }
  r.Section("textfile", [&](MapReader& s) { BindTextfile(s, collectors.textfile); });
}

}  // namespace tocsin
