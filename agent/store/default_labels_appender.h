// DefaultLabelsAppender: an Appender decorator that gives every sample the labels in `defaults`
// it does not carry itself — the target labels (job, instance) a Prometheus scraping the agent
// would attach, so that the agent's own API, rules and remote_write see them as Prometheus
// would. A sample's own value wins (a scrape target's job/instance stay). Owns the wrapped
// Appender; used by one thread, like any Appender.
#pragma once

#include <memory>

#include "agent/store/appender.h"

namespace tocsin {

class DefaultLabelsAppender final : public Appender {
 public:
  DefaultLabelsAppender(std::unique_ptr<Appender> inner, Labels defaults)
      : inner_(std::move(inner)), defaults_(std::move(defaults)) {}

  Status Add(const Labels& labels, double value) override {
    return inner_->Add(WithDefaults(labels), value);
  }
  Status AddAt(const Labels& labels, TimestampMs t, double value) override {
    return inner_->AddAt(WithDefaults(labels), t, value);
  }
  void SetMetadata(std::string_view family, const Metadata& metadata) override {
    inner_->SetMetadata(family, metadata);
  }
  Result<CommitStats> Commit() override { return inner_->Commit(); }
  void Rollback() override { inner_->Rollback(); }

 private:
  Labels WithDefaults(const Labels& labels) const {
    bool missing = false;
    for (const Label& d : defaults_) missing = missing || !labels.Has(d.name);
    if (!missing) return labels;
    LabelsBuilder b(labels);
    for (const Label& d : defaults_) {
      if (!labels.Has(d.name)) b.Set(d.name, d.value);
    }
    return b.Build();
  }

  std::unique_ptr<Appender> inner_;
  Labels defaults_;
};

}  // namespace tocsin
