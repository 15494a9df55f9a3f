#include "collectors/system/diskstats.h"

#include <array>
#include <string>

#include "collectors/system/proc_file.h"

namespace tocsin::system {
namespace {

struct Column {
  std::string_view metric;  // empty = not exported
  MetricType type;
  enum Unit { kCount, kSectors, kMillis } unit;
  std::string_view help;
};

// Columns after "major minor name", in /proc/diskstats order
// (Documentation/admin-guide/iostats.rst).
constexpr std::array<Column, 17> kColumns = {{
    {"node_disk_reads_completed_total", MetricType::kCounter, Column::kCount,
     "The total number of reads completed successfully."},
    {"node_disk_reads_merged_total", MetricType::kCounter, Column::kCount,
     "The total number of reads merged."},
    {"node_disk_read_bytes_total", MetricType::kCounter, Column::kSectors,
     "The total number of bytes read successfully."},
    {"node_disk_read_time_seconds_total", MetricType::kCounter, Column::kMillis,
     "The total number of seconds spent by all reads."},
    {"node_disk_writes_completed_total", MetricType::kCounter, Column::kCount,
     "The total number of writes completed successfully."},
    {"node_disk_writes_merged_total", MetricType::kCounter, Column::kCount,
     "The number of writes merged."},
    {"node_disk_written_bytes_total", MetricType::kCounter, Column::kSectors,
     "The total number of bytes written successfully."},
    {"node_disk_write_time_seconds_total", MetricType::kCounter, Column::kMillis,
     "This is the total number of seconds spent by all writes."},
    {"node_disk_io_now", MetricType::kGauge, Column::kCount,
     "The number of I/Os currently in progress."},
    {"node_disk_io_time_seconds_total", MetricType::kCounter, Column::kMillis,
     "Total seconds spent doing I/Os."},
    {"node_disk_io_time_weighted_seconds_total", MetricType::kCounter, Column::kMillis,
     "The weighted # of seconds spent doing I/Os."},
    {"node_disk_discards_completed_total", MetricType::kCounter, Column::kCount,
     "The total number of discards completed successfully."},
    {"node_disk_discards_merged_total", MetricType::kCounter, Column::kCount,
     "The total number of discards merged."},
    {"node_disk_discarded_sectors_total", MetricType::kCounter, Column::kCount,
     "The total number of sectors discarded successfully."},
    {"node_disk_discard_time_seconds_total", MetricType::kCounter, Column::kMillis,
     "This is the total number of seconds spent by all discards."},
    {"node_disk_flush_requests_total", MetricType::kCounter, Column::kCount,
     "The total number of flush requests completed successfully"},
    {"node_disk_flush_requests_time_seconds_total", MetricType::kCounter, Column::kMillis,
     "This is the total number of seconds spent by all flush requests."},
}};

// diskstats counts 512-byte sectors whatever the device's block size, and milliseconds;
// dividing (not multiplying by 0.001) keeps 2381 ms at exactly 2.381 s.
double Scale(Column::Unit unit, uint64_t v) {
  switch (unit) {
    case Column::kSectors:
      return static_cast<double>(v) * 512;
    case Column::kMillis:
      return static_cast<double>(v) / 1000;
    case Column::kCount:
      break;
  }
  return static_cast<double>(v);
}

}  // namespace

Status ParseDiskstats(std::string_view text, const Regex& exclude, SampleSink& sink) {
  for (const Column& c : kColumns) sink.Family(c.metric, c.type, c.help);
  std::string_view line;
  std::array<double, kColumns.size()> values{};
  while (NextLine(text, line)) {
    std::string_view rest = line;
    std::string_view major, minor, name;
    if (!NextField(rest, major)) continue;  // blank line
    if (!NextField(rest, minor) || !NextField(rest, name) || !ParseUint64(major) ||
        !ParseUint64(minor)) {
      return InvalidArgument("diskstats: malformed line \"" + std::string(line.substr(0, 80)) +
                             "\"");
    }
    size_t n = 0;
    std::string_view field;
    while (NextField(rest, field)) {
      auto v = ParseUint64(field);
      if (!v) return InvalidArgument("diskstats: bad value for " + std::string(name));
      if (n < values.size()) values[n] = Scale(kColumns[n].unit, *v);
      ++n;
    }
    if (n < 11) return InvalidArgument("diskstats: too few columns for " + std::string(name));
    if (exclude.Matches(name)) continue;
    std::string device(name);
    for (size_t i = 0; i < n && i < kColumns.size(); ++i) {
      sink.Add(kColumns[i].metric, {{"device", device}}, values[i]);
    }
  }
  return Status::Ok();
}

}  // namespace tocsin::system
