// Silences: Alertmanager-style silences (matchers + startsAt/endsAt + createdBy/comment),
// created, updated, listed and expired through the API, persisted in state_dir as one JSON file
// replaced atomically (temp + fsync + rename) on every change.
//
// Thread-safe (one mutex): the HTTP API and the dispatcher use it concurrently. Time from the
// injected Clock, which must outlive the Silences.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "agent/core/clock.h"
#include "agent/core/labels.h"
#include "agent/core/matcher.h"
#include "agent/core/status.h"

namespace tocsin {

struct SilenceMatcher {
  std::string name;
  std::string value;
  bool is_regex = false;
  bool is_equal = true;
  friend bool operator==(const SilenceMatcher&, const SilenceMatcher&) = default;
};

struct Silence {
  std::string id;
  std::vector<SilenceMatcher> matchers;
  TimestampMs starts_at = 0;
  TimestampMs ends_at = 0;
  TimestampMs updated_at = 0;
  std::string created_by;
  std::string comment;

  enum class State { kPending, kActive, kExpired };
  State StateAt(TimestampMs now) const {
    if (now >= ends_at) return State::kExpired;
    return now < starts_at ? State::kPending : State::kActive;
  }
};
const char* SilenceStateName(Silence::State s);  // "pending", "active", "expired"

class Silences {
 public:
  // `path` is the state file (e.g. <state_dir>/silences.json); empty keeps silences in memory.
  // Expired silences are kept for `retention` (Alertmanager's data.retention: 120h).
  Silences(const Clock& clock, std::string path,
           std::chrono::milliseconds retention = std::chrono::hours(120));

  // Reads the state file; a missing file is an empty set.
  Status Load();

  // Creates (empty id) or updates a silence, with Alertmanager's validation. An update that
  // cannot be applied in place (an active silence's matchers or start changed) expires the old
  // silence and creates a new one. Returns the resulting id.
  Result<std::string> Set(Silence silence);
  // Ends a pending or active silence now. NotFound for an unknown id; an expired one is an error.
  Status Expire(const std::string& id);
  std::optional<Silence> Get(const std::string& id) const;
  std::vector<Silence> List() const;
  // Ids of the active silences that match `labels`.
  std::vector<std::string> MutedBy(const Labels& labels) const;
  bool Mutes(const Labels& labels) const { return !MutedBy(labels).empty(); }
  // Drops silences expired longer than the retention; persists when something went.
  void GarbageCollect();

  TimestampMs Now() const { return clock_.NowMs(); }

  static Result<std::vector<LabelMatcher>> Compile(const std::vector<SilenceMatcher>& m);

 private:
  Status PersistLocked();
  Status Validate(const Silence& s, TimestampMs now) const;

  const Clock& clock_;
  std::string path_;
  std::chrono::milliseconds retention_;
  mutable std::mutex mu_;
  std::map<std::string, Silence> silences_;
  std::map<std::string, std::vector<LabelMatcher>> compiled_;
};

}  // namespace tocsin
