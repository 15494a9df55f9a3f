#include "notifiers/silences_api.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "agent/core/alert.h"
#include "agent/core/json.h"
#include "agent/core/matcher_parser.h"

namespace tocsin {

using nlohmann::json;

namespace {

constexpr std::string_view kListPath = "/api/v2/silences";
constexpr std::string_view kItemPrefix = "/api/v2/silence/";

ApiResponse Error(int status, const std::string& message) {
  return {status, EncodeJson(json(message))};
}

json SilenceJson(const Silence& s, TimestampMs now) {
  json matchers = json::array();
  for (const SilenceMatcher& m : s.matchers) {
    matchers.push_back(
        {{"name", m.name}, {"value", m.value}, {"isRegex", m.is_regex}, {"isEqual", m.is_equal}});
  }
  return json{{"id", s.id},
              {"status", {{"state", SilenceStateName(s.StateAt(now))}}},
              {"updatedAt", FormatRfc3339(s.updated_at)},
              {"matchers", matchers},
              {"startsAt", FormatRfc3339(s.starts_at)},
              {"endsAt", FormatRfc3339(s.ends_at)},
              {"createdBy", s.created_by},
              {"comment", s.comment}};
}

// Alertmanager sorts: active by endsAt, then pending by startsAt, then expired by endsAt desc.
void SortForApi(std::vector<Silence>& v, TimestampMs now) {
  std::stable_sort(v.begin(), v.end(), [now](const Silence& a, const Silence& b) {
    auto rank = [now](const Silence& s) {
      switch (s.StateAt(now)) {
        case Silence::State::kActive:
          return 0;
        case Silence::State::kPending:
          return 1;
        case Silence::State::kExpired:
          return 2;
      }
      return 2;
    };
    int ra = rank(a), rb = rank(b);
    if (ra != rb) return ra < rb;
    if (ra == 0) return a.ends_at < b.ends_at;
    if (ra == 1) return a.starts_at < b.starts_at;
    return a.ends_at > b.ends_at;
  });
}

}  // namespace

std::string UrlDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() &&
               std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string SilenceToApiJson(const Silence& s, TimestampMs now) {
  return EncodeJson(SilenceJson(s, now));
}

Result<Silence> SilenceFromApiJson(std::string_view body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return InvalidArgument("body is not a JSON object");
  Silence s;
  try {
    if (j.contains("id") && j["id"].is_string()) s.id = j["id"].get<std::string>();
    if (!j.contains("matchers") || !j["matchers"].is_array()) {
      return InvalidArgument("matchers in body is required");
    }
    for (const json& m : j["matchers"]) {
      SilenceMatcher sm;
      sm.name = m.at("name").get<std::string>();
      sm.value = m.at("value").get<std::string>();
      sm.is_regex = m.at("isRegex").get<bool>();
      if (m.contains("isEqual")) sm.is_equal = m["isEqual"].get<bool>();
      s.matchers.push_back(std::move(sm));
    }
    for (const char* key : {"startsAt", "endsAt", "createdBy", "comment"}) {
      if (!j.contains(key) || !j[key].is_string()) {
        return InvalidArgument(std::string(key) + " in body is required");
      }
    }
    if (!ParseRfc3339(j["startsAt"].get<std::string>(), &s.starts_at)) {
      return InvalidArgument("startsAt in body must be of type date-time");
    }
    if (!ParseRfc3339(j["endsAt"].get<std::string>(), &s.ends_at)) {
      return InvalidArgument("endsAt in body must be of type date-time");
    }
    s.created_by = j["createdBy"].get<std::string>();
    s.comment = j["comment"].get<std::string>();
  } catch (const json::exception& e) {
    return InvalidArgument(std::string("malformed silence: ") + e.what());
  }
  return s;
}

bool IsSilencesApiPath(std::string_view path) {
  return path == kListPath || (path.starts_with(kItemPrefix) && path.size() > kItemPrefix.size());
}

ApiResponse HandleSilencesApi(Silences& silences, std::string_view method, std::string_view path,
                              std::string_view query, std::string_view body) {
  if (path == kListPath) {
    if (method == "GET") {
      std::vector<LabelMatcher> filters;
      size_t pos = 0;
      while (pos <= query.size() && !query.empty()) {
        size_t amp = query.find('&', pos);
        std::string_view kv = query.substr(pos, amp == std::string_view::npos ? amp : amp - pos);
        if (kv.starts_with("filter=")) {
          auto ms = ParseMatchers(UrlDecode(kv.substr(7)));
          if (!ms.ok()) return Error(400, ms.status().message());
          filters.insert(filters.end(), ms->begin(), ms->end());
        }
        if (amp == std::string_view::npos) break;
        pos = amp + 1;
      }
      std::vector<Silence> all = silences.List();
      std::erase_if(all, [&](const Silence& s) {
        for (const LabelMatcher& f : filters) {
          auto it = std::find_if(s.matchers.begin(), s.matchers.end(),
                                 [&](const SilenceMatcher& m) { return m.name == f.name(); });
          if (!f.Matches(it == s.matchers.end() ? "" : it->value)) return true;
        }
        return false;
      });
      TimestampMs now = silences.Now();
      SortForApi(all, now);
      json out = json::array();
      for (const Silence& s : all) out.push_back(SilenceJson(s, now));
      return {200, EncodeJson(out)};
    }
    if (method == "POST") {
      Result<Silence> s = SilenceFromApiJson(body);
      if (!s.ok()) return Error(400, s.status().message());
      Result<std::string> id = silences.Set(std::move(s).value());
      if (!id.ok()) {
        return Error(id.status().code() == StatusCode::kNotFound ? 404 : 400,
                     id.status().message());
      }
      return {200, EncodeJson(json{{"silenceID", *id}})};
    }
    return Error(405, "method not allowed");
  }
  if (!path.starts_with(kItemPrefix)) return Error(404, "not found");
  std::string id(path.substr(kItemPrefix.size()));
  if (method == "GET") {
    auto s = silences.Get(id);
    if (!s) return {404, ""};
    return {200, EncodeJson(SilenceJson(*s, silences.Now()))};
  }
  if (method == "DELETE") {
    Status st = silences.Expire(id);
    if (st.code() == StatusCode::kNotFound) return {404, ""};
    if (!st.ok()) return Error(400, st.message());
    return {200, ""};
  }
  return Error(405, "method not allowed");
}

}  // namespace tocsin
