// FunctionCollector: a collector whose samples come from a function given at wiring time. The
// agent's own tocsin_* families (rendered by the exporter) reach the store this way, so that the
// stages stay unaware of each other: main.cc passes the exporter's AppendSelfMetrics.
//
// Thread-safety and ownership as for every Collector: Collect is never called concurrently; the
// function's captures must outlive the collector.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "collectors/collector.h"

namespace tocsin {

class FunctionCollector final : public Collector {
 public:
  using Fn = std::function<Status(const CollectContext&, Appender&)>;
  FunctionCollector(std::string name, Fn fn) : name_(std::move(name)), fn_(std::move(fn)) {}

  std::string_view name() const override { return name_; }
  Status Collect(const CollectContext& ctx, Appender& out) override { return fn_(ctx, out); }

 private:
  std::string name_;
  Fn fn_;
};

inline std::unique_ptr<Collector> MakeFunctionCollector(std::string name,
                                                        FunctionCollector::Fn fn) {
  return std::make_unique<FunctionCollector>(std::move(name), std::move(fn));
}

}  // namespace tocsin
