// Appender: a batch of samples from one source (a collector run, a scrape, a rule evaluation),
// committed to the store at once or rolled back.
//
// The source is named when the batch is opened (SeriesStore::Appender); at Commit the store
// writes Prometheus's stale marker for every series the same source wrote last time but not in
// this batch. Samples without an explicit timestamp get the batch's timestamp. An Appender is
// used by one thread; the store it came from must outlive it. Destroying an uncommitted
// Appender rolls it back.
#pragma once

#include <cstdint>
#include <string_view>

#include "agent/core/clock.h"
#include "agent/core/labels.h"
#include "agent/core/status.h"
#include "agent/store/metadata.h"

namespace tocsin {

struct CommitStats {
  uint64_t appended = 0;
  uint64_t out_of_order = 0;     // older than the series' newest sample: dropped
  uint64_t duplicate = 0;        // same timestamp as the newest sample: dropped
  uint64_t rejected_series = 0;  // new series refused by a limit
  uint64_t stale_markers = 0;    // series of this source that vanished
};

class Appender {
 public:
  virtual ~Appender() = default;

  // Adds one sample. `labels` must include __name__. Returns a non-ok status only for input the
  // caller should report (invalid labels, the source's sample limit exceeded); ordering problems
  // are counted at commit instead.
  virtual Status Add(const Labels& labels, double value) = 0;
  virtual Status AddAt(const Labels& labels, TimestampMs t, double value) = 0;

  // HELP/TYPE/UNIT for a metric family (the name without _total/_bucket/... suffixes as the
  // exposition writes it). Last call wins.
  virtual void SetMetadata(std::string_view family, const Metadata& metadata) = 0;

  virtual Result<CommitStats> Commit() = 0;
  virtual void Rollback() = 0;
};

}  // namespace tocsin
