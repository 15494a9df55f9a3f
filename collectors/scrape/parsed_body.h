// ParsedBody: a whole exposition body (a scrape response, a textfile) turned into store-ready
// samples and family metadata, with every parse error counted and the first one kept with its
// line number. Shared by the scrape and textfile collectors.
//
// Target labels (job, instance, static labels) are attached with Prometheus's honor_labels
// semantics: with honor_labels a label the body already has wins; without it the body's label
// is renamed to exported_<name> (exported_exported_<name>, ... if taken) and the target's value
// is set. Plain values; not synchronised. A ParsedBody may be reused (Clear keeps capacity).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "agent/core/labels.h"
#include "agent/store/metadata.h"
#include "collectors/scrape/text_parser.h"

namespace tocsin {

struct TargetLabels {
  std::vector<Label> labels;  // sorted by name, non-empty values
  bool honor_labels = false;
};

struct ParsedSample {
  Labels labels;
  double value = 0;
  bool has_timestamp = false;
  int64_t timestamp_ms = 0;
};

struct ParsedBody {
  std::vector<ParsedSample> samples;
  std::map<std::string, Metadata, std::less<>> metadata;  // family -> HELP/TYPE/UNIT
  size_t errors = 0;
  size_t first_error_line = 0;
  std::string first_error;  // "line 12: invalid value \"x\""; empty when none
  bool has_timestamps = false;

  void Clear();
};

// Parses `body` into `out` (cleared first). `target` may be null (no labels attached).
void ParseBody(std::string_view body, TextFormat format, const TargetLabels* target,
               ParsedBody& out);

// Applies target labels to one sample's label pairs (the __name__ pair included).
void ApplyTargetLabels(const TargetLabels& target, std::vector<Label>& pairs);

}  // namespace tocsin
