#include "remote/write_request.h"

#include <google/protobuf/arena.h>
#include <snappy.h>

#include <cassert>
#include <string_view>
#include <unordered_map>

#include "remote.pb.h"
#include "write_v2.pb.h"

namespace tocsin::remote {
namespace {

namespace v2 = io::prometheus::write::v2;

v2::Metadata::MetricType V2MetricType(MetricType t) {
  switch (t) {
    case MetricType::kCounter:
      return v2::Metadata::METRIC_TYPE_COUNTER;
    case MetricType::kGauge:
      return v2::Metadata::METRIC_TYPE_GAUGE;
    case MetricType::kHistogram:
      return v2::Metadata::METRIC_TYPE_HISTOGRAM;
    case MetricType::kGaugeHistogram:
      return v2::Metadata::METRIC_TYPE_GAUGEHISTOGRAM;
    case MetricType::kSummary:
      return v2::Metadata::METRIC_TYPE_SUMMARY;
    case MetricType::kInfo:
      return v2::Metadata::METRIC_TYPE_INFO;
    case MetricType::kStateSet:
      return v2::Metadata::METRIC_TYPE_STATESET;
    case MetricType::kUnknown:
      break;
  }
  return v2::Metadata::METRIC_TYPE_UNSPECIFIED;
}

// The symbols table: index 0 is "", each other string once, in first-use order.
class Symbols {
 public:
  explicit Symbols(v2::Request& req) : req_(req) { req_.add_symbols(); }
  uint32_t Ref(std::string_view s) {
    if (s.empty()) return 0;
    auto [it, added] = index_.try_emplace(s, static_cast<uint32_t>(req_.symbols_size()));
    if (added) req_.add_symbols()->assign(s);
    return it->second;
  }

 private:
  v2::Request& req_;
  // Views into the series and metadata being encoded, which outlive the encoding.
  std::unordered_map<std::string_view, uint32_t> index_;
};

}  // namespace

void EncodeWriteRequest(const std::vector<SeriesSamples>& series, std::string& out) {
  google::protobuf::Arena arena;
  auto* req = google::protobuf::Arena::CreateMessage<prometheus::WriteRequest>(&arena);
  req->mutable_timeseries()->Reserve(static_cast<int>(series.size()));
  for (const SeriesSamples& s : series) {
    prometheus::TimeSeries* ts = req->add_timeseries();
    for (const Label& l : s.labels) {
      prometheus::Label* pl = ts->add_labels();
      pl->set_name(l.name);
      pl->set_value(l.value);
    }
    for (size_t i = 0; i < s.samples.size(); ++i) {
      assert(i == 0 || s.samples[i - 1].first < s.samples[i].first);
      prometheus::Sample* ps = ts->add_samples();
      ps->set_value(s.samples[i].second);
      ps->set_timestamp(s.samples[i].first);
    }
  }
  out.clear();
  req->SerializeToString(&out);
}

void EncodeWriteRequestV2(const std::vector<SeriesSamples>& series,
                          const std::vector<const Metadata*>& metadata, std::string& out) {
  assert(metadata.empty() || metadata.size() == series.size());
  google::protobuf::Arena arena;
  auto* req = google::protobuf::Arena::CreateMessage<v2::Request>(&arena);
  Symbols symbols(*req);
  req->mutable_timeseries()->Reserve(static_cast<int>(series.size()));
  for (size_t i = 0; i < series.size(); ++i) {
    const SeriesSamples& s = series[i];
    v2::TimeSeries* ts = req->add_timeseries();
    for (const Label& l : s.labels) {
      ts->add_labels_refs(symbols.Ref(l.name));
      ts->add_labels_refs(symbols.Ref(l.value));
    }
    for (size_t k = 0; k < s.samples.size(); ++k) {
      assert(k == 0 || s.samples[k - 1].first < s.samples[k].first);
      v2::Sample* ps = ts->add_samples();
      ps->set_value(s.samples[k].second);
      ps->set_timestamp(s.samples[k].first);
    }
    if (const Metadata* md = metadata.empty() ? nullptr : metadata[i]) {
      v2::Metadata::MetricType type = V2MetricType(md->type);
      uint32_t help = symbols.Ref(md->help);
      uint32_t unit = symbols.Ref(md->unit);
      if (type != v2::Metadata::METRIC_TYPE_UNSPECIFIED || help != 0 || unit != 0) {
        v2::Metadata* m = ts->mutable_metadata();
        m->set_type(type);
        m->set_help_ref(help);
        m->set_unit_ref(unit);
      }
    }
  }
  out.clear();
  req->SerializeToString(&out);
}

void SnappyCompress(std::string_view raw, std::string& out) {
  out.clear();
  snappy::Compress(raw.data(), raw.size(), &out);
}

Result<std::string> SnappyUncompress(std::string_view compressed) {
  std::string out;
  if (!snappy::Uncompress(compressed.data(), compressed.size(), &out)) {
    return InvalidArgument("not a snappy block");
  }
  return out;
}

}  // namespace tocsin::remote
