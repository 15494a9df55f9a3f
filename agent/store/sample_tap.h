// SampleTap: the store's outbound seam for remote_write. When one is set, every successful
// commit hands it the samples the commit appended (stale markers included) before the commit
// returns, so that a durable queue behind it sees exactly what the store holds.
//
// Contract: OnCommitted is called with the source's commit lock held, so commits of one source
// (and thus the samples of each series it writes) arrive in order; within a batch the samples
// of one series are in timestamp order. Commits of different sources may call it concurrently:
// the tap synchronises itself. The batch and what it refers to are valid during the call only.
// With no tap set, the append path pays one pointer test per sample.
#pragma once

#include <cstddef>
#include <cstdint>

#include "agent/core/clock.h"
#include "agent/core/labels.h"

namespace tocsin {

class CommittedSamples {
 public:
  virtual ~CommittedSamples() = default;
  virtual size_t size() const = 0;
  // Unique for the store's lifetime (never reused after a series is deleted).
  virtual uint64_t series_id(size_t i) const = 0;
  // Built on demand from the store's interned symbols: ask once per new series id.
  virtual Labels labels(size_t i) const = 0;
  virtual TimestampMs timestamp(size_t i) const = 0;
  virtual double value(size_t i) const = 0;
};

class SampleTap {
 public:
  virtual ~SampleTap() = default;
  virtual void OnCommitted(const CommittedSamples& samples) = 0;
};

}  // namespace tocsin
