// scrape_parse_dump FILE [--openmetrics]: prints the samples tocsin's parser reads from FILE,
// one per line, sorted, as `name{a="x",b="y"} value [timestamp_ms]` with Go's float format;
// errors go to stderr (exit 1). Used by cross_check_test.py against independent parsers.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "collectors/scrape/parsed_body.h"
#include "tests/fakes/recording_appender.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: scrape_parse_dump FILE [--openmetrics]\n";
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string body = ss.str();
  bool om = argc > 2 && std::string(argv[2]) == "--openmetrics";
  tocsin::ParsedBody parsed;
  tocsin::ParseBody(body, om ? tocsin::TextFormat::kOpenMetrics : tocsin::TextFormat::kPrometheus,
                    nullptr, parsed);
  std::vector<std::string> lines;
  for (const tocsin::ParsedSample& s : parsed.samples) {
    std::string line(s.labels.MetricName());
    line += '{';
    bool first = true;
    for (const tocsin::Label& l : s.labels) {
      if (l.name == tocsin::kMetricNameLabel) continue;
      if (!first) line += ',';
      first = false;
      line += l.name + "=\"";
      tocsin::AppendEscapedLabelValue(line, l.value);
      line += '"';
    }
    line += "} " + tocsin::testing::FormatPromValue(s.value);
    if (s.has_timestamp) line += " " + std::to_string(s.timestamp_ms);
    lines.push_back(std::move(line));
  }
  std::sort(lines.begin(), lines.end());
  for (const std::string& l : lines) std::cout << l << '\n';
  if (parsed.errors > 0) {
    std::cerr << parsed.first_error << " (" << parsed.errors << " errors)\n";
    return 1;
  }
  return 0;
}
