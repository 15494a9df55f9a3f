#include "collectors/system/sample_sink.h"

#include <utility>

namespace tocsin::system {

void SampleSink::Family(std::string_view name, MetricType type, std::string_view help) {
  std::string_view family = name;
  if (type == MetricType::kCounter && family.ends_with("_total")) {
    family.remove_suffix(std::string_view("_total").size());
  }
  Meta m;
  m.family = std::string(family);
  m.metadata.type = type;
  m.metadata.help = std::string(help);
  metas_.push_back(std::move(m));
}

void SampleSink::Add(std::string_view name, double value) {
  std::vector<Label> pairs;
  pairs.push_back(Label{std::string(kMetricNameLabel), std::string(name)});
  samples_.push_back(Sample{Labels::FromSorted(std::move(pairs)), value});
}

void SampleSink::Add(std::string_view name, std::initializer_list<Label> labels, double value) {
  std::vector<Label> pairs;
  pairs.reserve(labels.size() + 1);
  pairs.push_back(Label{std::string(kMetricNameLabel), std::string(name)});
  pairs.insert(pairs.end(), labels.begin(), labels.end());
  samples_.push_back(Sample{Labels::FromUnsorted(std::move(pairs)), value});
}

void SampleSink::Add(std::string_view name, std::vector<Label> labels, double value) {
  labels.push_back(Label{std::string(kMetricNameLabel), std::string(name)});
  samples_.push_back(Sample{Labels::FromUnsorted(std::move(labels)), value});
}

Status SampleSink::FlushTo(Appender& out) {
  for (const Meta& m : metas_) out.SetMetadata(m.family, m.metadata);
  for (const Sample& s : samples_) {
    Status st = out.Add(s.labels, s.value);
    if (!st.ok()) return st;
  }
  return Status::Ok();
}

void SampleSink::Clear() {
  samples_.clear();
  metas_.clear();
}

}  // namespace tocsin::system
