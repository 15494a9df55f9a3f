#include "agent/promql/test_histograms.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace tocsin::promql {
namespace {

// Placeholder k is this integer plus k: exact as a double, and not a value scripts use.
constexpr double kPlaceholderBase = 987654321000000;

std::optional<double> ParseLe(std::string_view s) {
  std::string str(s);
  if (str == "+Inf" || str == "+inf" || str == "Inf" || str == "inf") {
    return std::numeric_limits<double>::infinity();
  }
  char* end = nullptr;
  double v = std::strtod(str.c_str(), &end);
  if (str.empty() || end != str.c_str() + str.size()) return std::nullopt;
  return v;
}

struct ClassicAtTime {
  std::map<double, double> buckets;  // le -> cumulative count
  std::optional<double> count;
  double sum = 0;
};

struct ClassicSeries {
  Labels labels;  // the histogram's own labels (base name, no le)
  std::vector<double> bounds;
  std::map<TimestampMs, ClassicAtTime> at;
};

}  // namespace

Result<std::string> HistogramLiterals::Extract(std::string_view line) {
  std::string out;
  size_t pos = 0;
  while (true) {
    size_t open = line.find("{{", pos);
    if (open == std::string_view::npos) break;
    size_t close = line.find("}}", open);
    if (close == std::string_view::npos) return InvalidArgument("unterminated histogram literal");
    auto h = ParseHistogramLiteral(line.substr(open, close + 2 - open));
    if (!h.ok()) return h.status();
    size_t after = close + 2;
    out.append(line.substr(pos, open - pos));
    auto placeholder = [this](FloatHistogram hist) {
      std::string p = std::to_string(static_cast<int64_t>(kPlaceholderBase) +
                                     static_cast<int64_t>(histograms_.size()));
      histograms_.push_back(std::move(hist));
      return p;
    };
    if (after + 2 < line.size() && (line[after] == '+' || line[after] == '-') &&
        line.substr(after + 1, 2) == "{{") {
      // {{base}}+{{inc}}xN: N+1 distinct values, each the previous one plus (or minus) inc, as
      // Prometheus's series parser builds them; the float parser then sees N+1 placeholders.
      const bool add = line[after] == '+';
      size_t inc_close = line.find("}}", after + 1);
      if (inc_close == std::string_view::npos) {
        return InvalidArgument("unterminated histogram literal");
      }
      auto inc = ParseHistogramLiteral(line.substr(after + 1, inc_close + 1 - after));
      if (!inc.ok()) return inc.status();
      size_t p = inc_close + 2;
      if (p >= line.size() || line[p] != 'x') {
        return InvalidArgument("histogram series arithmetic needs a repetition count (xN)");
      }
      size_t digits = ++p;
      while (p < line.size() && line[p] >= '0' && line[p] <= '9') ++p;
      if (p == digits || p - digits > 8) {
        return InvalidArgument("invalid repetition count in histogram series");
      }
      int64_t times =
          std::strtoll(std::string(line.substr(digits, p - digits)).c_str(), nullptr, 10);
      FloatHistogram cur = std::move(h).value();
      out += placeholder(cur);
      for (int64_t i = 1; i <= times; ++i) {
        if (cur.schema > inc->schema) {
          return InvalidArgument("error combining histograms: cannot merge from schema " +
                                 std::to_string(inc->schema) + " to " + std::to_string(cur.schema));
        }
        Status st = add ? cur.Add(*inc) : cur.Sub(*inc);
        if (!st.ok()) return st;
        out += " " + placeholder(cur);
      }
      pos = p;
      continue;
    }
    out += placeholder(std::move(h).value());
    pos = after;
  }
  out.append(line.substr(pos));
  return out;
}

std::vector<std::optional<FloatHistogram>> HistogramLiterals::Resolve(SeriesValues& values) const {
  std::vector<std::optional<FloatHistogram>> out(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    if (!values[i]) continue;
    double k = *values[i] - kPlaceholderBase;
    if (k >= 0 && k < static_cast<double>(histograms_.size()) && k == std::floor(k)) {
      out[i] = histograms_[static_cast<size_t>(k)];
      values[i].reset();
    }
  }
  return out;
}

Status ConvertClassicToNhcb(const std::vector<SeriesDescription>& defs, int64_t interval_ms,
                            HistogramSeriesMap& out) {
  std::map<Labels, ClassicSeries> series;
  for (const SeriesDescription& d : defs) {
    std::string_view name = d.labels.MetricName();
    std::string_view suffix;
    for (std::string_view s : {"_bucket", "_count", "_sum"}) {
      if (name.ends_with(s)) suffix = s;
    }
    if (suffix.empty()) continue;
    std::optional<double> le;
    if (suffix == "_bucket") {
      le = ParseLe(d.labels.Get("le"));
      if (!le) continue;  // not a classic bucket
    }
    LabelsBuilder b(d.labels);
    b.Set(kMetricNameLabel, name.substr(0, name.size() - suffix.size()));
    b.Del("le");
    Labels key = b.Build();
    ClassicSeries& cs = series[key];
    cs.labels = key;
    if (le) cs.bounds.push_back(*le);
    for (size_t i = 0; i < d.values.size(); ++i) {
      if (!d.values[i] || IsStaleNaN(*d.values[i])) continue;
      ClassicAtTime& at = cs.at[static_cast<TimestampMs>(i) * interval_ms];
      if (le) {
        at.buckets[*le] = *d.values[i];
      } else if (suffix == "_count") {
        at.count = *d.values[i];
      } else {
        at.sum = *d.values[i];
      }
    }
  }
  for (auto& [key, cs] : series) {
    if (cs.bounds.empty()) continue;  // _sum/_count without buckets stay float series
    std::sort(cs.bounds.begin(), cs.bounds.end());
    cs.bounds.erase(std::unique(cs.bounds.begin(), cs.bounds.end()), cs.bounds.end());
    FloatHistogram base;
    base.schema = FloatHistogram::kCustomBucketsSchema;
    base.custom_values = cs.bounds;
    if (std::isinf(base.custom_values.back())) base.custom_values.pop_back();
    std::vector<HistogramSample>& samples = out[key];
    for (const auto& [t, at] : cs.at) {
      auto h = std::make_shared<FloatHistogram>(base);
      h->positive.assign(cs.bounds.size(), 0.0);
      double prev = 0, total = 0;
      for (size_t i = 0; i < cs.bounds.size(); ++i) {
        auto it = at.buckets.find(cs.bounds[i]);
        double cumulative = it == at.buckets.end() ? 0 : it->second;
        h->positive[i] = cumulative - prev;
        if (h->positive[i] < 0) {
          return InvalidArgument("histogram " + key.ToMetricString() +
                                 " has a bucket count lower than the previous bucket's");
        }
        prev = total = cumulative;
      }
      h->count = at.count && *at.count != 0 ? *at.count : total;
      h->sum = at.sum;
      samples.push_back(HistogramSample{t, std::move(h)});
    }
  }
  return Status::Ok();
}

namespace {

class OverlayQuerier final : public Querier {
 public:
  OverlayQuerier(std::unique_ptr<Querier> floats, const HistogramSeriesMap& histograms,
                 TimestampMs mint, TimestampMs maxt)
      : floats_(std::move(floats)), histograms_(histograms), mint_(mint), maxt_(maxt) {}

  void ForEach(std::span<const LabelMatcher> matchers,
               FunctionRef<void(const SeriesView&)> visit) const override {
    for (const SeriesData& s : Merged(matchers)) {
      visit(SeriesView{s.labels, s.samples, s.histograms});
    }
  }

  std::vector<std::string> LabelValues(std::string_view name) const override {
    std::vector<std::string> out = floats_->LabelValues(name);
    for (const auto& [labels, samples] : histograms_) {
      if (labels.Has(name)) out.emplace_back(labels.Get(name));
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

 private:
  // The float series with the overlay's histogram samples merged in, sorted by labels.
  std::vector<SeriesData> Merged(std::span<const LabelMatcher> matchers) const {
    std::vector<SeriesData> out = floats_->Select(matchers);
    if (matchers.empty()) return out;
    for (const auto& entry : histograms_) {
      const Labels& labels = entry.first;
      const std::vector<HistogramSample>& samples = entry.second;
      bool all = true;
      for (const LabelMatcher& m : matchers) all = all && m.Matches(labels.Get(m.name()));
      if (!all) continue;
      std::vector<HistogramSample> in_range;
      for (const HistogramSample& s : samples) {
        if (s.t >= mint_ && s.t <= maxt_) in_range.push_back(s);
      }
      if (in_range.empty()) continue;
      auto it = std::find_if(out.begin(), out.end(),
                             [&](const SeriesData& d) { return d.labels == labels; });
      if (it == out.end()) {
        out.push_back(SeriesData{labels, {}, std::move(in_range)});
      } else {
        it->histograms = std::move(in_range);
      }
    }
    std::sort(out.begin(), out.end(),
              [](const SeriesData& a, const SeriesData& b) { return a.labels < b.labels; });
    return out;
  }

  std::unique_ptr<Querier> floats_;
  const HistogramSeriesMap& histograms_;
  TimestampMs mint_, maxt_;
};

}  // namespace

std::unique_ptr<Querier> HistogramOverlayQueryable::NewQuerier(TimestampMs mint,
                                                               TimestampMs maxt) const {
  return std::make_unique<OverlayQuerier>(floats_.NewQuerier(mint, maxt), histograms_, mint, maxt);
}

}  // namespace tocsin::promql
