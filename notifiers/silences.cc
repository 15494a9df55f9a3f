#include "notifiers/silences.h"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <random>

#include "agent/core/file_util.h"
#include "agent/core/json.h"

namespace tocsin {

using nlohmann::json;

const char* SilenceStateName(Silence::State s) {
  switch (s) {
    case Silence::State::kPending:
      return "pending";
    case Silence::State::kActive:
      return "active";
    case Silence::State::kExpired:
      return "expired";
  }
  return "expired";
}

namespace {

std::string NewUuid() {
  static std::mutex mu;
  static std::mt19937_64 rng{std::random_device{}()};
  uint64_t hi, lo;
  {
    std::lock_guard<std::mutex> lock(mu);
    hi = rng();
    lo = rng();
  }
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // variant 10
  char buf[37];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xffff), static_cast<unsigned>(hi & 0xffff),
                static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return buf;
}

json ToJson(const Silence& s) {
  json matchers = json::array();
  for (const SilenceMatcher& m : s.matchers) {
    matchers.push_back(
        {{"name", m.name}, {"value", m.value}, {"isRegex", m.is_regex}, {"isEqual", m.is_equal}});
  }
  return json{{"id", s.id},          {"matchers", matchers},      {"startsAt", s.starts_at},
              {"endsAt", s.ends_at}, {"updatedAt", s.updated_at}, {"createdBy", s.created_by},
              {"comment", s.comment}};
}

bool FromJson(const json& j, Silence* out) {
  try {
    Silence s;
    s.id = j.at("id").get<std::string>();
    for (const json& m : j.at("matchers")) {
      s.matchers.push_back({m.at("name").get<std::string>(), m.at("value").get<std::string>(),
                            m.at("isRegex").get<bool>(), m.at("isEqual").get<bool>()});
    }
    s.starts_at = j.at("startsAt").get<TimestampMs>();
    s.ends_at = j.at("endsAt").get<TimestampMs>();
    s.updated_at = j.at("updatedAt").get<TimestampMs>();
    s.created_by = j.at("createdBy").get<std::string>();
    s.comment = j.at("comment").get<std::string>();
    *out = std::move(s);
    return true;
  } catch (const json::exception&) {
    return false;
  }
}

}  // namespace

Silences::Silences(const Clock& clock, std::string path, std::chrono::milliseconds retention)
    : clock_(clock), path_(std::move(path)), retention_(retention) {}

Result<std::vector<LabelMatcher>> Silences::Compile(const std::vector<SilenceMatcher>& ms) {
  std::vector<LabelMatcher> out;
  for (const SilenceMatcher& m : ms) {
    MatchOp op = m.is_regex ? (m.is_equal ? MatchOp::kRegexMatch : MatchOp::kRegexNoMatch)
                            : (m.is_equal ? MatchOp::kEqual : MatchOp::kNotEqual);
    Result<LabelMatcher> lm = LabelMatcher::Make(op, m.name, m.value);
    if (!lm.ok())
      return InvalidArgument("invalid regex in matcher for " + m.name + ": " +
                             lm.status().message());
    out.push_back(std::move(lm).value());
  }
  return out;
}

Status Silences::Load() {
  if (path_.empty()) return Status::Ok();
  Result<std::string> text = ReadWholeFile(path_);
  if (!text.ok()) {
    return text.status().code() == StatusCode::kNotFound ? Status::Ok() : text.status();
  }
  json j = json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("silences") || !j["silences"].is_array()) {
    return InvalidArgument(path_ + ": not a silences file");
  }
  std::lock_guard<std::mutex> lock(mu_);
  for (const json& item : j["silences"]) {
    Silence s;
    if (!FromJson(item, &s)) return InvalidArgument(path_ + ": malformed silence entry");
    auto compiled = Compile(s.matchers);
    if (!compiled.ok()) return compiled.status().WithContext(path_);
    compiled_[s.id] = std::move(compiled).value();
    silences_[s.id] = std::move(s);
  }
  return Status::Ok();
}

Status Silences::PersistLocked() {
  if (path_.empty()) return Status::Ok();
  json all = json::array();
  for (const auto& [id, s] : silences_) all.push_back(ToJson(s));
  return WriteFileAtomic(path_, EncodeJson(json{{"silences", all}}));
}

Status Silences::Validate(const Silence& s, TimestampMs now) const {
  if (s.matchers.empty()) return InvalidArgument("at least one matcher required");
  bool all_match_empty = true;
  for (const SilenceMatcher& m : s.matchers) {
    if (!IsValidLabelName(m.name)) return InvalidArgument("invalid label name \"" + m.name + "\"");
  }
  auto compiled = Compile(s.matchers);
  if (!compiled.ok()) return compiled.status();
  for (const LabelMatcher& m : *compiled) all_match_empty = all_match_empty && m.MatchesEmpty();
  if (all_match_empty)
    return InvalidArgument("at least one matcher must not match the empty string");
  if (s.starts_at == 0) return InvalidArgument("invalid zero start timestamp");
  if (s.ends_at == 0) return InvalidArgument("invalid zero end timestamp");
  if (s.ends_at < s.starts_at) return InvalidArgument("end time must not be before start time");
  if (s.ends_at < now) return InvalidArgument("end time can't be in the past");
  if (s.created_by.empty()) return InvalidArgument("creator information required");
  if (s.comment.empty()) return InvalidArgument("comment required");
  return Status::Ok();
}

Result<std::string> Silences::Set(Silence s) {
  TimestampMs now = clock_.NowMs();
  if (s.ends_at != 0 && s.ends_at < now) return InvalidArgument("end time can't be in the past");
  if (s.starts_at != 0 && s.starts_at < now) s.starts_at = now;  // no start in the past
  TOCSIN_RETURN_IF_ERROR(Validate(s, now));
  auto compiled = Compile(s.matchers);
  std::lock_guard<std::mutex> lock(mu_);
  s.updated_at = now;
  if (!s.id.empty()) {
    auto it = silences_.find(s.id);
    if (it == silences_.end()) return NotFound("silence " + s.id + " not found");
    Silence& prev = it->second;
    Silence::State state = prev.StateAt(now);
    bool in_place = state == Silence::State::kPending ||
                    (state == Silence::State::kActive && prev.matchers == s.matchers);
    if (in_place) {
      if (state == Silence::State::kActive) s.starts_at = prev.starts_at;
      compiled_[s.id] = std::move(compiled).value();
      prev = std::move(s);
      TOCSIN_RETURN_IF_ERROR(PersistLocked());
      return prev.id;
    }
    if (state == Silence::State::kActive) {
      prev.ends_at = now;
      prev.updated_at = now;
    }
  }
  s.id = NewUuid();
  std::string id = s.id;
  compiled_[id] = std::move(compiled).value();
  silences_[id] = std::move(s);
  TOCSIN_RETURN_IF_ERROR(PersistLocked());
  return id;
}

Status Silences::Expire(const std::string& id) {
  TimestampMs now = clock_.NowMs();
  std::lock_guard<std::mutex> lock(mu_);
  auto it = silences_.find(id);
  if (it == silences_.end()) return NotFound("silence " + id + " not found");
  Silence& s = it->second;
  switch (s.StateAt(now)) {
    case Silence::State::kExpired:
      return InvalidArgument("silence " + id + " already expired");
    case Silence::State::kPending:
      s.starts_at = now;
      s.ends_at = now;
      break;
    case Silence::State::kActive:
      s.ends_at = now;
      break;
  }
  s.updated_at = now;
  return PersistLocked();
}

std::optional<Silence> Silences::Get(const std::string& id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = silences_.find(id);
  if (it == silences_.end()) return std::nullopt;
  return it->second;
}

std::vector<Silence> Silences::List() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Silence> out;
  for (const auto& [id, s] : silences_) out.push_back(s);
  return out;
}

std::vector<std::string> Silences::MutedBy(const Labels& labels) const {
  TimestampMs now = clock_.NowMs();
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> out;
  for (const auto& [id, s] : silences_) {
    if (s.StateAt(now) != Silence::State::kActive) continue;
    const auto& ms = compiled_.at(id);
    bool all = true;
    for (const LabelMatcher& m : ms) {
      if (!m.Matches(labels.Get(m.name()))) {
        all = false;
        break;
      }
    }
    if (all) out.push_back(id);
  }
  return out;
}

void Silences::GarbageCollect() {
  TimestampMs now = clock_.NowMs();
  std::lock_guard<std::mutex> lock(mu_);
  bool changed = false;
  for (auto it = silences_.begin(); it != silences_.end();) {
    if (it->second.ends_at + retention_.count() < now) {
      compiled_.erase(it->first);
      it = silences_.erase(it);
      changed = true;
    } else {
      ++it;
    }
  }
  if (changed) (void)PersistLocked();
}

}  // namespace tocsin
