#include "collectors/scrape/scrape_collector.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "agent/core/rate_limiter.h"
#include "collectors/scrape/parsed_body.h"

namespace tocsin {
namespace {

constexpr char kAccept[] =
    "application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.4,*/*;q=0.1";

RateLimiter& LogLimiter() {
  static RateLimiter limiter(std::chrono::minutes(1));
  return limiter;
}

std::string Base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(v >> s) & 63];
  }
  if (i < in.size()) {
    uint32_t v = uint8_t(in[i]) << 16;
    if (i + 1 < in.size()) v |= uint8_t(in[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

class ScrapeCollector final : public Collector {
 public:
  ScrapeCollector(const ScrapeConfig& config, const ScrapeTargetSpec& target,
                  std::shared_ptr<HttpClient> http, const Clock& clock)
      : config_(config), http_(std::move(http)), clock_(clock) {
    name_ = "scrape/" + target.job + "/" + target.instance;
    url_ = config.scheme + "://" + target.instance + config.metrics_path;
    std::map<std::string, std::string> labels = target.static_labels;
    labels.try_emplace("job", target.job);
    labels.try_emplace("instance", target.instance);
    for (const auto& [k, v] : labels) {
      if (!v.empty()) target_.labels.push_back(Label{k, v});
    }
    target_.honor_labels = config.honor_labels;
    base_ = Labels::FromSorted(target_.labels);
  }

  std::string_view name() const override { return name_; }

  Status Collect(const CollectContext& ctx, Appender& out) override {
    auto start = clock_.Monotonic();
    std::string error = Scrape(ctx);
    double seconds = std::chrono::duration<double>(clock_.Monotonic() - start).count();

    size_t scraped = body_.samples.size();
    size_t added = 0;
    if (error.empty()) {
      for (const ParsedSample& s : body_.samples) {
        Status st = s.has_timestamp ? out.AddAt(s.labels, s.timestamp_ms, s.value)
                                    : out.Add(s.labels, s.value);
        if (!st.ok()) return st;  // the store refused (limits): a real collection failure
        ++added;
      }
      for (const auto& [family, md] : body_.metadata) out.SetMetadata(family, md);
    } else {
      uint64_t suppressed = 0;
      if (LogLimiter().Allow(name_, suppressed)) {
        spdlog::warn("scrape of {} ({}) failed: {}{}", name_, url_, error,
                     suppressed > 0 ? fmt::format(" ({} similar messages suppressed)", suppressed)
                                    : std::string());
      }
    }
    parse_errors_total_ += body_.errors;
    TOCSIN_RETURN_IF_ERROR(Synthetic(out, "up", error.empty() ? 1 : 0));
    TOCSIN_RETURN_IF_ERROR(Synthetic(out, "scrape_duration_seconds", seconds));
    TOCSIN_RETURN_IF_ERROR(Synthetic(out, "scrape_samples_scraped", double(scraped)));
    TOCSIN_RETURN_IF_ERROR(Synthetic(out, "scrape_samples_post_metric_relabeling", double(added)));
    TOCSIN_RETURN_IF_ERROR(
        Synthetic(out, "tocsin_scrape_parse_errors_total", double(parse_errors_total_)));
    out.SetMetadata("tocsin_scrape_parse_errors",
                    {MetricType::kCounter, "Lines of scrape bodies that could not be parsed.", ""});
    return Status::Ok();
  }

 private:
  // Fetches and parses; returns why the scrape failed, or "" on success.
  std::string Scrape(const CollectContext& ctx) {
    body_.Clear();
    HttpRequest req;
    req.method = "GET";
    req.url = url_;
    req.headers = {{"Accept", kAccept},
                   {"X-Prometheus-Scrape-Timeout-Seconds",
                    fmt::format("{:g}", config_.scrape_timeout.count() / 1000.0)}};
    if (!config_.basic_auth_username.empty() || !config_.basic_auth_password.empty()) {
      req.headers.push_back({"Authorization", "Basic " + Base64(config_.basic_auth_username + ":" +
                                                                config_.basic_auth_password)});
    }
    // Leave a little of the collection's deadline for parsing, so that a slow target ends as a
    // failed scrape (up 0) rather than as a rolled-back collection.
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        ctx.deadline - std::chrono::steady_clock::now());
    auto timeout = config_.scrape_timeout;
    if (ctx.deadline.time_since_epoch().count() != 0) {
      timeout = std::min(timeout, left * 9 / 10);
    }
    if (timeout.count() <= 0) return "no time left before the collection deadline";
    req.timeout = timeout;
    req.max_response_body = config_.body_size_limit;
    req.accept_gzip = true;
    req.verify_tls = !config_.tls_config.insecure_skip_verify;
    req.ca_file = config_.tls_config.ca_file;
    HttpResponse resp = http_->Do(req);
    if (resp.status == 0) return resp.error.empty() ? "no response" : resp.error;
    if (resp.truncated) {
      return "body exceeds body_size_limit (" + std::to_string(config_.body_size_limit) + " bytes)";
    }
    if (resp.status != 200) return "server returned HTTP status " + std::to_string(resp.status);
    ParseBody(resp.body, TextFormatFromContentType(resp.Header("content-type")), &target_, body_);
    if (body_.errors > 0) {
      return body_.first_error + (body_.errors > 1
                                      ? fmt::format(" (and {} more parse errors)", body_.errors - 1)
                                      : std::string());
    }
    if (config_.sample_limit > 0 && body_.samples.size() > config_.sample_limit) {
      return fmt::format("sample limit exceeded ({} samples, limit {})", body_.samples.size(),
                         config_.sample_limit);
    }
    return "";
  }

  Status Synthetic(Appender& out, std::string_view name, double value) {
    LabelsBuilder b(base_);
    b.Set(kMetricNameLabel, name);
    return out.Add(b.Build(), value);
  }

  const ScrapeConfig config_;
  std::shared_ptr<HttpClient> http_;
  const Clock& clock_;
  std::string name_;
  std::string url_;
  TargetLabels target_;
  Labels base_;  // target labels, for the synthetic series
  ParsedBody body_;
  uint64_t parse_errors_total_ = 0;
};

}  // namespace

std::unique_ptr<Collector> MakeScrapeCollector(const ScrapeConfig& config,
                                               const ScrapeTargetSpec& target,
                                               std::shared_ptr<HttpClient> http,
                                               const Clock* clock) {
  if (http == nullptr) http = std::make_shared<CurlHttpClient>();
  return std::make_unique<ScrapeCollector>(config, target, std::move(http),
                                           clock != nullptr ? *clock : SystemClock::Instance());
}

std::vector<ScheduledCollector> MakeScrapeCollectors(const ScrapeConfig& config,
                                                     std::shared_ptr<HttpClient> http,
                                                     const Clock* clock) {
  if (http == nullptr) http = std::make_shared<CurlHttpClient>();
  std::vector<ScheduledCollector> out;
  for (const ScrapeStaticConfig& sc : config.static_configs) {
    for (const std::string& t : sc.targets) {
      ScrapeTargetSpec spec{config.job_name, t, sc.labels};
      out.push_back({MakeScrapeCollector(config, spec, http, clock), config.scrape_interval,
                     config.scrape_timeout});
    }
  }
  return out;
}

}  // namespace tocsin
