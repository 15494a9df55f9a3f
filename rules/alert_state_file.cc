#include "rules/alert_state_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>

#include "agent/core/file_util.h"
#include "agent/core/fnv.h"
#include "agent/core/json.h"

namespace tocsin::rules {
namespace {

using nlohmann::json;

constexpr int kFormatVersion = 1;

json LabelsJson(const Labels& l) {
  json m = json::object();
  for (const auto& p : l) m[p.name] = p.value;
  return m;
}

Labels LabelsFrom(const json& j) {
  std::vector<Label> v;
  for (auto it = j.begin(); it != j.end(); ++it)
    v.push_back({it.key(), it.value().get<std::string>()});
  return Labels::FromUnsorted(std::move(v));
}

void PutOpt(json& j, const char* key, const std::optional<TimestampMs>& v) {
  if (v) j[key] = *v;
}

std::optional<TimestampMs> GetOpt(const json& j, const char* key) {
  if (!j.contains(key)) return std::nullopt;
  return j.at(key).get<TimestampMs>();
}

AlertState StateFrom(const std::string& s) {
  if (s == "firing") return AlertState::kFiring;
  if (s == "pending") return AlertState::kPending;
  if (s == "inactive") return AlertState::kInactive;
  throw json::other_error::create(501, "unknown alert state \"" + s + "\"", nullptr);
}

std::string Errno(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

}  // namespace

std::string EncodeGroupState(const PersistedGroup& g) {
  json rules = json::array();
  for (const auto& r : g.rules) {
    json alerts = json::array();
    for (const Alert& a : r.alerts) {
      json j = {{"labels", LabelsJson(a.labels)},
                {"state", std::string(AlertStateName(a.state))},
                {"active_at", a.active_at}};
      // NaN/Inf are not JSON numbers: keep the value as Go formats it.
      j["value"] = std::isfinite(a.value) ? json(a.value) : json(std::to_string(a.value));
      PutOpt(j, "fired_at", a.fired_at);
      PutOpt(j, "resolved_at", a.resolved_at);
      PutOpt(j, "last_sent_at", a.last_sent_at);
      PutOpt(j, "valid_until", a.valid_until);
      PutOpt(j, "keep_firing_since", a.keep_firing_since);
      alerts.push_back(std::move(j));
    }
    rules.push_back(
        {{"rule", r.rule}, {"rule_labels", LabelsJson(r.rule_labels)}, {"alerts", alerts}});
  }
  json doc = {{"version", kFormatVersion},
              {"file", g.file},
              {"group", g.group},
              {"saved_at", g.saved_at},
              {"rules", rules}};
  return EncodeJson(doc, {.indent = 1}) + "\n";
}

Result<PersistedGroup> DecodeGroupState(std::string_view text) {
  try {
    json doc = json::parse(text);
    if (doc.at("version").get<int>() != kFormatVersion) {
      return InvalidArgument("unsupported state format version " + doc.at("version").dump());
    }
    PersistedGroup g;
    g.file = doc.at("file").get<std::string>();
    g.group = doc.at("group").get<std::string>();
    g.saved_at = doc.at("saved_at").get<TimestampMs>();
    for (const auto& r : doc.at("rules")) {
      PersistedRuleAlerts pr;
      pr.rule = r.at("rule").get<std::string>();
      pr.rule_labels = LabelsFrom(r.at("rule_labels"));
      for (const auto& j : r.at("alerts")) {
        Alert a;
        a.labels = LabelsFrom(j.at("labels"));
        a.state = StateFrom(j.at("state").get<std::string>());
        a.active_at = j.at("active_at").get<TimestampMs>();
        const json& v = j.at("value");
        a.value =
            v.is_string() ? std::strtod(v.get<std::string>().c_str(), nullptr) : v.get<double>();
        a.fired_at = GetOpt(j, "fired_at");
        a.resolved_at = GetOpt(j, "resolved_at");
        a.last_sent_at = GetOpt(j, "last_sent_at");
        a.valid_until = GetOpt(j, "valid_until");
        a.keep_firing_since = GetOpt(j, "keep_firing_since");
        pr.alerts.push_back(std::move(a));
      }
      g.rules.push_back(std::move(pr));
    }
    return g;
  } catch (const json::exception& e) {
    return InvalidArgument(std::string("malformed alert state: ") + e.what());
  }
}

std::string AlertStateDir::PathFor(const std::string& file, const std::string& group) const {
  char name[32];
  std::snprintf(name, sizeof name, "%016llx.json",
                static_cast<unsigned long long>(Fnv1a64(file + ";" + group)));
  return dir_ + "/" + name;
}

AlertStateDir::LoadResult AlertStateDir::LoadAll(TimestampMs now) const {
  LoadResult out;
  if (dir_.empty()) return out;
  DIR* d = ::opendir(dir_.c_str());
  if (d == nullptr) {
    if (errno != ENOENT) out.errors.push_back(Errno("cannot open alert state directory", dir_));
    return out;
  }
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n.size() > 5 && n.compare(n.size() - 5, 5, ".json") == 0) names.push_back(n);
  }
  ::closedir(d);
  for (const auto& n : names) {
    std::string path = dir_ + "/" + n;
    std::string text;
    std::string error;
    if (FILE* f = std::fopen(path.c_str(), "rb")) {
      char buf[65536];
      size_t k;
      while ((k = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, k);
      if (std::ferror(f)) error = Errno("cannot read", path);
      std::fclose(f);
    } else {
      error = Errno("cannot open", path);
    }
    if (error.empty()) {
      auto g = DecodeGroupState(text);
      if (g.ok()) {
        auto key = std::make_pair(g->file, g->group);
        out.groups[key] = std::move(g).value();
        continue;
      }
      error = path + ": " + g.status().message();
    }
    std::string aside = path + ".corrupt-" + std::to_string(now);
    if (::rename(path.c_str(), aside.c_str()) == 0) {
      error += " (moved aside to " + aside + ")";
    }
    out.errors.push_back(error);
  }
  return out;
}

Status AlertStateDir::Save(const PersistedGroup& g) const {
  if (dir_.empty()) return Status::Ok();
  if (::mkdir(dir_.c_str(), 0700) != 0 && errno != EEXIST) {
    return Internal(Errno("cannot create", dir_));
  }
  return WriteFileAtomic(PathFor(g.file, g.group), EncodeGroupState(g));
}

void AlertStateDir::Remove(const std::string& file, const std::string& group) const {
  if (!dir_.empty()) ::unlink(PathFor(file, group).c_str());
}

}  // namespace tocsin::rules
