// SampleSink: where a system sub-reader puts its samples and family metadata.
//
// Samples are staged, not written: the system collector flushes a sub-reader's samples to the
// Appender only when that sub-reader succeeded, so a file that fails to parse halfway never
// leaves a partial family behind. One sink per collector, reused (Clear) across sub-readers and
// scrapes. Not thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "agent/core/labels.h"
#include "agent/core/status.h"
#include "agent/store/appender.h"
#include "agent/store/metadata.h"

namespace tocsin::system {

class SampleSink {
 public:
  // Declares a family. `name` is the full sample name (e.g. "node_cpu_seconds_total"); for
  // counters the Appender is given the family name without the "_total" suffix, as
  // Appender::SetMetadata expects.
  void Family(std::string_view name, MetricType type, std::string_view help);

  // Adds a sample with no labels besides the name.
  void Add(std::string_view name, double value);
  // Adds a sample with up to a few (label name, value) pairs, in any order.
  void Add(std::string_view name, std::initializer_list<Label> labels, double value);
  // Adds a sample with a label set built at run time (e.g. only the non-empty info labels).
  void Add(std::string_view name, std::vector<Label> labels, double value);

  // Writes staged metadata and samples to `out`; stops at and returns the first Add error.
  Status FlushTo(Appender& out);
  void Clear();

  size_t sample_count() const { return samples_.size(); }

 private:
  struct Sample {
    Labels labels;
    double value;
  };
  struct Meta {
    std::string family;
    Metadata metadata;
  };
  std::vector<Sample> samples_;
  std::vector<Meta> metas_;
};

}  // namespace tocsin::system
