#include "collectors/system/filefd.h"

#include <array>
#include <string>

#include "collectors/system/proc_file.h"

namespace tocsin::system {

Status ParseFileNr(std::string_view text, SampleSink& sink) {
  std::string_view rest = TrimSpace(text);
  std::array<std::string_view, 3> parts;
  size_t n = 0;
  while (n < parts.size()) {
    size_t tab = rest.find('\t');
    parts[n++] = rest.substr(0, tab);
    if (tab == std::string_view::npos) break;
    rest.remove_prefix(tab + 1);
  }
  // Fields after the third are ignored, as in Go.
  if (n < parts.size()) return InvalidArgument("filefd: unexpected number of file stats");
  std::optional<double> allocated = ParseDouble(parts[0]);
  std::optional<double> maximum = ParseDouble(parts[2]);
  if (!allocated || !maximum) return InvalidArgument("filefd: invalid value in file-nr");
  sink.Family("node_filefd_allocated", MetricType::kGauge,
              "File descriptor statistics: allocated.");
  sink.Add("node_filefd_allocated", *allocated);
  sink.Family("node_filefd_maximum", MetricType::kGauge, "File descriptor statistics: maximum.");
  sink.Add("node_filefd_maximum", *maximum);
  return Status::Ok();
}

}  // namespace tocsin::system
