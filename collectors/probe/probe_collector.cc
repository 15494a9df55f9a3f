#include "collectors/probe/probe_collector.h"

#include <algorithm>
#include <vector>

#include "agent/core/regex.h"
#include "agent/store/sliding_window_sketch.h"
#include "agent/store/summary_export.h"

namespace tocsin {
namespace {

constexpr size_t kMaxProbeBody = 10 << 20;

bool StatusValid(int code, const std::vector<std::string>& valid) {
  if (valid.empty()) return code >= 200 && code < 300;
  std::string s = std::to_string(code);
  for (const std::string& v : valid) {
    if (v == s || (v.size() == 3 && v[1] == 'x' && v[0] == s[0])) return true;
  }
  return false;
}

class ProbeCollector final : public Collector {
 public:
  ProbeCollector(ProbeConfig config, std::vector<Regex> must_match, std::vector<Regex> must_not,
                 std::shared_ptr<HttpClient> http, const Clock& clock)
      : config_(std::move(config)),
        must_match_(std::move(must_match)),
        must_not_match_(std::move(must_not)),
        http_(std::move(http)),
        clock_(clock),
        sketch_(
            clock,
            SlidingWindowOptions{.window = config_.window, .parts = 10, .shards = 1, .sketch = {}}),
        name_("probe/" + config_.name),
        base_(Labels{{"instance", config_.url}, {"probe", config_.name}}),
        https_(config_.url.starts_with("https://")) {}

  std::string_view name() const override { return name_; }

  Status Collect(const CollectContext& ctx, Appender& out) override {
    HttpRequest req;
    req.method = config_.method;
    req.url = config_.url;
    for (const auto& [k, v] : config_.headers) req.headers.emplace_back(k, v);
    req.body = config_.body;
    auto timeout = config_.timeout;
    if (ctx.deadline.time_since_epoch().count() != 0) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          ctx.deadline - std::chrono::steady_clock::now());
      timeout = std::min(timeout, left * 9 / 10);
    }
    req.timeout = std::max(timeout, std::chrono::milliseconds(1));
    req.max_response_body = kMaxProbeBody;
    req.verify_tls = !config_.insecure_skip_verify;
    req.ca_file = config_.ca_file;
    req.collect_certificates = https_;

    auto start = clock_.Monotonic();
    HttpResponse resp = http_->Do(req);
    double duration = std::chrono::duration<double>(clock_.Monotonic() - start).count();

    bool responded = resp.status != 0;
    bool success =
        responded && !resp.truncated && StatusValid(resp.status, config_.valid_status_codes);
    bool regex_failed = false;
    if (responded) {
      for (const Regex& re : must_match_) regex_failed |= !re.Matches(resp.body);
      for (const Regex& re : must_not_match_) regex_failed |= re.Matches(resp.body);
    }
    success = success && !regex_failed;
    if (responded) sketch_.Observe(duration);

    const HttpTimings& t = resp.timings;
    auto nonneg = [](double v) { return std::max(0.0, v); };
    double tls_done = https_ ? t.app_connect : t.connect;
    struct Phase {
      const char* name;
      double seconds;
    } phases[] = {
        {"resolve", nonneg(t.name_lookup)},
        {"connect", nonneg(t.connect - t.name_lookup)},
        {"tls", https_ ? nonneg(t.app_connect - t.connect) : 0},
        {"processing", t.start_transfer > 0 ? nonneg(t.start_transfer - tls_done) : 0},
        {"transfer", t.start_transfer > 0 ? nonneg(t.total - t.start_transfer) : 0},
    };
    TOCSIN_RETURN_IF_ERROR(Add(out, "probe_success", success ? 1 : 0));
    TOCSIN_RETURN_IF_ERROR(Add(out, "probe_duration_seconds", duration));
    TOCSIN_RETURN_IF_ERROR(Add(out, "probe_http_status_code", resp.status));
    TOCSIN_RETURN_IF_ERROR(
        Add(out, "probe_http_content_length", double(responded ? resp.content_length : 0)));
    TOCSIN_RETURN_IF_ERROR(
        Add(out, "probe_http_uncompressed_body_length", double(resp.body.size())));
    TOCSIN_RETURN_IF_ERROR(Add(out, "probe_http_ssl", responded && https_ ? 1 : 0));
    TOCSIN_RETURN_IF_ERROR(Add(out, "probe_dns_lookup_time_seconds", nonneg(t.name_lookup)));
    for (const Phase& p : phases) {
      LabelsBuilder b(base_);
      b.Set(kMetricNameLabel, "probe_http_duration_seconds");
      b.Set("phase", p.name);
      TOCSIN_RETURN_IF_ERROR(out.Add(b.Build(), p.seconds));
    }
    if (resp.earliest_cert_expiry) {
      TOCSIN_RETURN_IF_ERROR(
          Add(out, "probe_ssl_earliest_cert_expiry", double(*resp.earliest_cert_expiry)));
    }
    if (!must_match_.empty() || !must_not_match_.empty()) {
      TOCSIN_RETURN_IF_ERROR(Add(out, "probe_failed_due_to_regex", regex_failed ? 1 : 0));
    }
    TOCSIN_RETURN_IF_ERROR(WriteSummary(out, "probe_latency_seconds", base_, sketch_,
                                        "Duration of probes that got an HTTP response, over "
                                        "the probe's window.",
                                        config_.quantiles));
    SetMetadata(out);
    return Status::Ok();
  }

 private:
  Status Add(Appender& out, std::string_view name, double v) {
    LabelsBuilder b(base_);
    b.Set(kMetricNameLabel, name);
    return out.Add(b.Build(), v);
  }

  static void SetMetadata(Appender& out) {
    struct Md {
      const char* family;
      const char* help;
    };
    static constexpr Md kGauges[] = {
        {"probe_success", "Displays whether or not the probe was a success"},
        {"probe_duration_seconds", "Returns how long the probe took to complete in seconds"},
        {"probe_http_status_code", "Response HTTP status code"},
        {"probe_http_content_length", "Length of http content response"},
        {"probe_http_uncompressed_body_length", "Length of uncompressed response body"},
        {"probe_http_ssl", "Indicates if SSL was used for the final redirect"},
        {"probe_dns_lookup_time_seconds", "Returns the time taken for probe dns lookup in seconds"},
        {"probe_http_duration_seconds",
         "Duration of http request by phase, summed over all redirects"},
        {"probe_ssl_earliest_cert_expiry", "Returns last SSL chain expiry in unixtime"},
        {"probe_failed_due_to_regex", "Indicates if probe failed due to regex"},
    };
    for (const Md& m : kGauges) out.SetMetadata(m.family, {MetricType::kGauge, m.help, ""});
  }

  const ProbeConfig config_;
  const std::vector<Regex> must_match_;
  const std::vector<Regex> must_not_match_;
  std::shared_ptr<HttpClient> http_;
  const Clock& clock_;
  SlidingWindowSketch sketch_;
  const std::string name_;
  const Labels base_;
  const bool https_;
};

Status CompileAll(const std::vector<std::string>& patterns, std::vector<Regex>& out) {
  for (const std::string& p : patterns) {
    auto re = Regex::Compile(p, Regex::Anchoring::kNone);
    if (!re.ok()) return re.status();
    out.push_back(std::move(re).value());
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<Collector>> MakeProbeCollector(const ProbeConfig& config,
                                                      std::shared_ptr<HttpClient> http,
                                                      const Clock* clock) {
  std::vector<Regex> must, must_not;
  TOCSIN_RETURN_IF_ERROR(CompileAll(config.fail_if_body_not_matches_regexp, must));
  TOCSIN_RETURN_IF_ERROR(CompileAll(config.fail_if_body_matches_regexp, must_not));
  if (http == nullptr) http = std::make_shared<CurlHttpClient>();
  return std::unique_ptr<Collector>(
      new ProbeCollector(config, std::move(must), std::move(must_not), std::move(http),
                         clock != nullptr ? *clock : SystemClock::Instance()));
}

}  // namespace tocsin
