#include "collectors/statsd/statsd_aggregator.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "agent/store/summary_export.h"

namespace tocsin {
namespace {

constexpr size_t kMaxTags = 64;           // tags beyond it are ignored
constexpr double kMaxReplication = 1000;  // an observation at @0.0001 counts 1000 times, not 1e4

std::string_view HelpFor(int kind) {
  static constexpr std::string_view kHelp[] = {
      "StatsD counter (sum of value/rate since start).", "StatsD gauge.",
      "StatsD timer/histogram/distribution (timers in seconds), over a sliding window.",
      "StatsD set: distinct members since the previous collection."};
  return kHelp[kind];
}

}  // namespace

StatsdAggregator::StatsdAggregator(const Clock& clock, StatsdAggregatorOptions options)
    : clock_(clock), options_(std::move(options)) {
  tags_.reserve(kMaxTags);
}

StatsdAggregator::~StatsdAggregator() = default;

void StatsdAggregator::AddPackets(std::span<const std::string_view> packets) {
  std::lock_guard lock(mu_);
  for (std::string_view packet : packets) {
    ++counts_.packets;
    while (!packet.empty()) {
      const char* nl = static_cast<const char*>(std::memchr(packet.data(), '\n', packet.size()));
      size_t len = nl != nullptr ? static_cast<size_t>(nl - packet.data()) : packet.size();
      std::string_view line = packet.substr(0, len);
      packet = nl != nullptr ? packet.substr(len + 1) : std::string_view();
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.empty()) continue;
      ++counts_.lines;
      AddLine(line);
    }
  }
}

StatsdAggregator::Series* StatsdAggregator::Find(const StatsdLine& line, Kind kind,
                                                 StatsdError& error) {
  // Canonical key: name, kind, tags sorted by name.
  tags_.clear();
  std::string_view tags = line.tags;
  while (!tags.empty() && tags_.size() < kMaxTags) {
    size_t comma = tags.find(',');
    std::string_view tag = tags.substr(0, comma);
    tags = comma == std::string_view::npos ? std::string_view() : tags.substr(comma + 1);
    size_t colon = tag.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == tag.size()) {
      continue;  // valueless tags are ignored, as statsd_exporter does
    }
    tags_.emplace_back(tag.substr(0, colon), tag.substr(colon + 1));
  }
  std::sort(tags_.begin(), tags_.end());
  key_.assign(line.name);
  key_ += '\0';
  key_ += static_cast<char>('0' + static_cast<int>(kind));
  for (const auto& [k, v] : tags_) {
    key_ += '\0';
    key_ += k;
    key_ += '=';
    key_ += v;
  }
  auto it = series_.find(std::string_view(key_));
  if (it != series_.end()) return it->second.get();

  // A new series: check the limit and the name's type, build its labels once.
  if (series_.size() >= options_.max_series) {
    error = StatsdError::kSeriesLimit;
    return nullptr;
  }
  std::string family;
  AppendEscapedStatsdName(family, line.name);
  auto [name_it, inserted] = names_.try_emplace(family, kind);
  if (!inserted && name_it->second != kind) {
    error = StatsdError::kTypeConflict;
    return nullptr;
  }
  std::vector<Label> pairs;
  for (const auto& [k, v] : tags_) {
    std::string name;
    AppendEscapedStatsdName(name, k);
    if (name.starts_with("__") || (kind == Kind::kObserver && name == "quantile")) continue;
    pairs.push_back(Label{std::move(name), std::string(v)});
  }
  auto s = std::make_unique<Series>();
  s->kind = kind;
  s->family = family;
  std::string sample_name = family;
  if (kind == Kind::kCounter && !family.ends_with("_total")) sample_name += "_total";
  if (kind != Kind::kObserver) pairs.push_back(Label{std::string(kMetricNameLabel), sample_name});
  s->labels = Labels::FromUnsorted(std::move(pairs));
  if (kind == Kind::kObserver) {
    SlidingWindowOptions o;
    o.window = options_.window;
    o.parts = 10;
    o.shards = 1;  // one observing thread (the receiver)
    s->sketch = std::make_unique<SlidingWindowSketch>(clock_, o);
  }
  Series* raw = s.get();
  series_.emplace(key_, std::move(s));
  counts_.series = series_.size();
  return raw;
}

void StatsdAggregator::AddLine(std::string_view text) {
  StatsdLine line;
  StatsdError error = ParseStatsdLine(text, line);
  if (error == StatsdError::kOk) {
    Kind kind = Kind::kObserver;
    switch (line.type) {
      case StatsdType::kCounter:
        kind = Kind::kCounter;
        break;
      case StatsdType::kGauge:
        kind = Kind::kGauge;
        break;
      case StatsdType::kSet:
        kind = Kind::kSet;
        break;
      default:
        break;
    }
    Series* s = Find(line, kind, error);
    if (s != nullptr) {
      if (kind == Kind::kSet) {
        if (s->members.size() < options_.max_set_members) s->members.emplace(line.values);
        return;
      }
      StatsdValueIterator values(line.values);
      double v = 0;
      bool relative = false;
      while (values.Next(v, relative)) {
        switch (kind) {
          case Kind::kCounter:
            s->value += v / line.sample_rate;
            break;
          case Kind::kGauge:
            s->value = relative ? s->value + v : v;
            break;
          case Kind::kObserver: {
            if (line.type == StatsdType::kTimer) v /= 1000;  // ms -> seconds
            double n = std::min(kMaxReplication, std::round(1 / line.sample_rate));
            for (int i = 0; i < static_cast<int>(n); ++i) s->sketch->Observe(v);
            break;
          }
          case Kind::kSet:
            break;
        }
      }
      return;
    }
  }
  ++counts_.bad[static_cast<size_t>(error)];
}

StatsdCounts StatsdAggregator::Counts() const {
  std::lock_guard lock(mu_);
  return counts_;
}

Status StatsdAggregator::WriteTo(Appender& out) {
  struct Snap {
    const Series* series;
    double value;
  };
  std::vector<Snap> snaps;
  std::vector<std::pair<std::string, Kind>> families;
  StatsdCounts counts;
  {
    std::lock_guard lock(mu_);
    snaps.reserve(series_.size());
    for (auto& [key, s] : series_) {
      double v = s->kind == Kind::kSet ? static_cast<double>(s->members.size()) : s->value;
      if (s->kind == Kind::kSet) s->members.clear();
      snaps.push_back({s.get(), v});
    }
    families.assign(names_.begin(), names_.end());
    counts = counts_;
  }
  // Series are never removed, so their labels and (thread-safe) sketches outlive the lock.
  for (const Snap& snap : snaps) {
    const Series& s = *snap.series;
    if (s.kind == Kind::kObserver) {
      TOCSIN_RETURN_IF_ERROR(WriteSummary(out, s.family, s.labels, *s.sketch,
                                          HelpFor(static_cast<int>(Kind::kObserver)),
                                          options_.quantiles));
    } else {
      TOCSIN_RETURN_IF_ERROR(out.Add(s.labels, snap.value));
    }
  }
  for (const auto& [family, kind] : families) {
    if (kind == Kind::kObserver) continue;  // WriteSummary set it
    MetricType type = kind == Kind::kCounter ? MetricType::kCounter : MetricType::kGauge;
    out.SetMetadata(family, Metadata{type, std::string(HelpFor(static_cast<int>(kind))), ""});
  }

  auto add = [&](std::string_view name, double v, std::initializer_list<Label> extra = {}) {
    LabelsBuilder b;
    b.Set(kMetricNameLabel, name);
    for (const Label& l : extra) b.Set(l.name, l.value);
    return out.Add(b.Build(), v);
  };
  TOCSIN_RETURN_IF_ERROR(add("tocsin_statsd_packets_total", double(counts.packets)));
  TOCSIN_RETURN_IF_ERROR(add("tocsin_statsd_lines_total", double(counts.lines)));
  for (size_t r = 1; r < counts.bad.size(); ++r) {
    std::string reason(StatsdErrorName(static_cast<StatsdError>(r)));
    TOCSIN_RETURN_IF_ERROR(
        add("tocsin_statsd_bad_lines_total", double(counts.bad[r]), {{"reason", reason}}));
  }
  TOCSIN_RETURN_IF_ERROR(add("tocsin_statsd_series", double(snaps.size())));
  out.SetMetadata("tocsin_statsd_packets",
                  {MetricType::kCounter, "StatsD datagrams received.", ""});
  out.SetMetadata("tocsin_statsd_lines",
                  {MetricType::kCounter, "StatsD lines received, good or bad.", ""});
  out.SetMetadata("tocsin_statsd_bad_lines",
                  {MetricType::kCounter, "StatsD lines rejected, by reason.", ""});
  out.SetMetadata("tocsin_statsd_series",
                  {MetricType::kGauge, "StatsD series held (bounded by max_series).", ""});
  return Status::Ok();
}

}  // namespace tocsin
