// libFuzzer target for the scrape text parser (Prometheus 0.0.4 and OpenMetrics): any input
// must parse or fail line by line without crashing or reading out of bounds; every reported
// sample has a valid-looking name and views inside the input or the parser's buffer, and the
// parser always reaches kEnd.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "collectors/scrape/parsed_body.h"
#include "collectors/scrape/text_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 1 << 16) return 0;
  std::string body(reinterpret_cast<const char*>(data), size);  // own allocation: ASan bounds
  for (tocsin::TextFormat f : {tocsin::TextFormat::kPrometheus, tocsin::TextFormat::kOpenMetrics}) {
    tocsin::TextParser p(body, f);
    size_t entries = 0;
    while (true) {
      tocsin::TextEntry e = p.Next();
      if (e == tocsin::TextEntry::kEnd) break;
      if (++entries > size + 2) __builtin_trap();  // at most one entry per line (+ EOF error)
      if (e == tocsin::TextEntry::kSeries) {
        if (p.metric_name().empty()) __builtin_trap();
        size_t sum = 0;
        for (const tocsin::ParsedLabel& l : p.labels()) sum += l.name.size() + l.value.size();
        if (sum > size) __builtin_trap();
      }
    }
    tocsin::ParsedBody parsed;
    tocsin::TargetLabels target{{{"instance", "i"}, {"job", "j"}}, false};
    tocsin::ParseBody(body, f, &target, parsed);
  }
  return 0;
}
