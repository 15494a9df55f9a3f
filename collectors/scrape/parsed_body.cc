#include "collectors/scrape/parsed_body.h"

#include <algorithm>

namespace tocsin {
namespace {

bool HasName(const std::vector<Label>& pairs, std::string_view name) {
  for (const Label& l : pairs) {
    if (l.name == name) return true;
  }
  return false;
}

}  // namespace

void ParsedBody::Clear() {
  samples.clear();
  metadata.clear();
  errors = 0;
  first_error_line = 0;
  first_error.clear();
  has_timestamps = false;
}

void ApplyTargetLabels(const TargetLabels& target, std::vector<Label>& pairs) {
  for (const Label& t : target.labels) {
    auto it =
        std::find_if(pairs.begin(), pairs.end(), [&](const Label& l) { return l.name == t.name; });
    if (it == pairs.end()) {
      pairs.push_back(t);
      continue;
    }
    if (target.honor_labels) continue;
    std::string renamed = "exported_" + t.name;
    while (HasName(pairs, renamed)) renamed = "exported_" + renamed;
    // `it` may be invalidated by push_back: rename in place first.
    it->name = std::move(renamed);
    pairs.push_back(t);
  }
}

void ParseBody(std::string_view body, TextFormat format, const TargetLabels* target,
               ParsedBody& out) {
  out.Clear();
  TextParser parser(body, format);
  std::vector<Label> pairs;
  auto note_error = [&](size_t line, std::string message) {
    if (out.errors++ == 0) {
      out.first_error_line = line;
      out.first_error = "line " + std::to_string(line) + ": " + message;
    }
  };
  while (true) {
    TextEntry e = parser.Next();
    switch (e) {
      case TextEntry::kEnd:
        return;
      case TextEntry::kError:
        note_error(parser.line_number(), parser.error());
        break;
      case TextEntry::kHelp:
        out.metadata[std::string(parser.family())].help = std::string(parser.help());
        break;
      case TextEntry::kType:
        out.metadata[std::string(parser.family())].type = parser.type();
        break;
      case TextEntry::kUnit:
        out.metadata[std::string(parser.family())].unit = std::string(parser.unit());
        break;
      case TextEntry::kComment:
      case TextEntry::kEof:
        break;
      case TextEntry::kSeries: {
        pairs.clear();
        pairs.push_back(Label{std::string(kMetricNameLabel), std::string(parser.metric_name())});
        bool bad = false;
        for (const ParsedLabel& l : parser.labels()) {
          if (l.name == kMetricNameLabel) {
            bad = true;
            break;
          }
          if (!l.value.empty()) pairs.push_back(Label{std::string(l.name), std::string(l.value)});
        }
        if (bad) {
          note_error(parser.line_number(), "label name __name__ is reserved");
          break;
        }
        if (target != nullptr) ApplyTargetLabels(*target, pairs);
        ParsedSample& s = out.samples.emplace_back();
        s.labels = Labels::FromUnsorted(std::move(pairs));
        pairs = {};
        s.value = parser.value();
        s.has_timestamp = parser.has_timestamp();
        s.timestamp_ms = parser.timestamp_ms();
        out.has_timestamps |= s.has_timestamp;
        break;
      }
    }
  }
}

}  // namespace tocsin
