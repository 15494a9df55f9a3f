// Alertmanager's routing schema: route (match, match_re, matchers, continue, group_by,
// mute/active time intervals), inhibit_rules (source_/target_ match, match_re, matchers) and
// time_intervals (timeinterval.TimeInterval, with Alertmanager 0.25's validation messages).
#include <algorithm>
#include <charconv>

#include "agent/config/am_schema.h"
#include "agent/core/labels.h"
#include "agent/core/matcher_parser.h"
#include "agent/core/time_zone.h"

namespace tocsin {
namespace {

using std::chrono::milliseconds;

Status MustBeMatchers(const std::string& s) { return ParseMatchers(s).status(); }

void BindMatchers(MapReader& r, std::string_view key, std::vector<LabelMatcher>* out) {
  std::vector<std::string> raw;
  if (!r.StringList(key, &raw, MustBeMatchers)) return;
  for (const std::string& s : raw) {
    auto ms = ParseMatchers(s);
    if (ms.ok()) out->insert(out->end(), ms->begin(), ms->end());
  }
}

// `match: {label: value}` (equality) and `match_re: {label: regex}` (anchored, as Alertmanager's
// config.Regexp), appended to `out` in label order.
void BindMatchMaps(MapReader& r, std::string_view match_key, std::string_view re_key,
                   std::vector<LabelMatcher>* out) {
  std::map<std::string, std::string> equal;
  if (r.StringMap(match_key, &equal, MustBeLabelName)) {
    for (auto& [name, value] : equal) out->push_back(LabelMatcher::Equal(name, value));
  }
  std::map<std::string, std::string> regexes;
  if (r.StringMap(re_key, &regexes, MustBeLabelName)) {
    for (auto& [name, value] : regexes) {
      auto m = LabelMatcher::Make(MatchOp::kRegexMatch, name, value);
      if (m.ok()) {
        out->push_back(std::move(m).value());
      } else {
        r.ErrorAtKey(re_key, "label \"" + name + "\": " + m.status().message());
      }
    }
  }
}

Status MustBeGroupByName(const std::string& s) {
  if (s == "..." || IsValidLabelName(s)) return Status::Ok();
  return InvalidArgument("invalid label name \"" + s + "\" in group_by list");
}

void BindOptionalDuration(MapReader& r, std::string_view key, std::optional<milliseconds>* out,
                          bool non_zero, std::string_view what) {
  milliseconds d{0};
  if (!r.Duration(key, &d)) return;
  if (non_zero && d.count() == 0) {
    r.ErrorAtKey(key, std::string(what) + " cannot be zero");
    return;
  }
  *out = d;
}

void CheckIntervalNames(MapReader& r, std::string_view key, const std::vector<std::string>& names,
                        const std::set<std::string>& defined) {
  for (const std::string& n : names) {
    if (!defined.contains(n)) {
      r.ErrorAtKey(key, "undefined time interval \"" + n + "\" used in route");
    }
  }
}

// --- time intervals ---------------------------------------------------------------------

const std::map<std::string, int>& Weekdays() {
  static const std::map<std::string, int> m = {{"sunday", 0},    {"monday", 1},   {"tuesday", 2},
                                               {"wednesday", 3}, {"thursday", 4}, {"friday", 5},
                                               {"saturday", 6}};
  return m;
}

const std::map<std::string, int>& MonthNames() {
  static const std::map<std::string, int> m = {{"january", 1},  {"february", 2},  {"march", 3},
                                               {"april", 4},    {"may", 5},       {"june", 6},
                                               {"july", 7},     {"august", 8},    {"september", 9},
                                               {"october", 10}, {"november", 11}, {"december", 12}};
  return m;
}

Result<int> Atoi(std::string_view s) {
  int v = 0;
  std::string_view digits = s;
  if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty()) {
    return InvalidArgument("strconv.Atoi: parsing \"" + std::string(s) + "\": invalid syntax");
  }
  return v;
}

enum class RangeKind { kWeekday, kDayOfMonth, kMonth, kYear };

Result<int> RangeMember(RangeKind kind, const std::string& s) {
  if (kind == RangeKind::kWeekday) {
    auto it = Weekdays().find(s);
    if (it == Weekdays().end()) return InvalidArgument(s + " is not a valid weekday");
    return it->second;
  }
  if (kind == RangeKind::kMonth) {
    auto it = MonthNames().find(s);
    if (it != MonthNames().end()) return it->second;
    auto n = Atoi(s);
    if (!n.ok()) return InvalidArgument(s + " is not a valid month");
    return n;
  }
  return Atoi(s);
}

// stringableRangeFromString plus each range type's UnmarshalYAML checks.
Result<InclusiveRange> ParseRange(RangeKind kind, std::string text) {
  std::string in = text;
  std::transform(in.begin(), in.end(), in.begin(), [](unsigned char c) { return std::tolower(c); });
  InclusiveRange r;
  size_t colon = in.find(':');
  if (colon != std::string::npos) {
    if (in.find(':', colon + 1) != std::string::npos) {
      return InvalidArgument("couldn't parse range " + in + ", invalid format");
    }
    auto b = RangeMember(kind, in.substr(0, colon));
    if (!b.ok()) return b.status();
    auto e = RangeMember(kind, in.substr(colon + 1));
    if (!e.ok()) return e.status();
    r = {*b, *e};
  } else {
    auto v = RangeMember(kind, in);
    if (!v.ok()) return v.status();
    r = {*v, *v};
  }
  switch (kind) {
    case RangeKind::kWeekday:
      if (r.begin > r.end) return InvalidArgument("start day cannot be before end day");
      if (r.begin < 0 || r.begin > 6 || r.end < 0 || r.end > 6) {
        return InvalidArgument(text + " is not a valid day of the week: out of range");
      }
      break;
    case RangeKind::kDayOfMonth: {
      for (int v : {r.begin, r.end}) {
        if (v == 0 || v < -31 || v > 31) {
          return InvalidArgument(std::to_string(v) +
                                 " is not a valid day of the month: out of range");
        }
      }
      if (r.begin < 0 && r.end > 0) {
        return InvalidArgument("end day must be negative if start day is negative");
      }
      int check_begin = r.begin < 0 ? 28 + r.begin : r.begin;
      int check_end = r.end < 0 ? 28 + r.end : r.end;
      if (check_begin > check_end) {
        return InvalidArgument("end day " + std::to_string(r.end) + " is always before start day " +
                               std::to_string(r.begin));
      }
      break;
    }
    case RangeKind::kMonth:
      if (r.begin > r.end) return InvalidArgument("end month is before start month");
      break;
    case RangeKind::kYear:
      if (r.begin > r.end) {
        return InvalidArgument("end year " + std::to_string(r.end) + " is before start year " +
                               std::to_string(r.begin));
      }
      break;
  }
  return r;
}

void BindRanges(MapReader& r, std::string_view key, RangeKind kind,
                std::vector<InclusiveRange>* out) {
  std::vector<std::string> raw;
  if (!r.StringList(key, &raw,
                    [kind](const std::string& s) { return ParseRange(kind, s).status(); })) {
    return;
  }
  for (const std::string& s : raw) out->push_back(*ParseRange(kind, s));
}

// "HH:MM" (00:00..23:59) or "24:00", in minutes.
Result<int> ParseClock(const std::string& s) {
  bool shape = s.size() == 5 && s[2] == ':' && std::isdigit(static_cast<unsigned char>(s[0])) &&
               std::isdigit(static_cast<unsigned char>(s[1])) &&
               std::isdigit(static_cast<unsigned char>(s[3])) &&
               std::isdigit(static_cast<unsigned char>(s[4]));
  int h = shape ? (s[0] - '0') * 10 + (s[1] - '0') : 0;
  int m = shape ? (s[3] - '0') * 10 + (s[4] - '0') : 0;
  if (!shape || !((h <= 23 && m <= 59) || (h == 24 && m == 0))) {
    return InvalidArgument("couldn't parse timestamp " + s + ", invalid format");
  }
  return h * 60 + m;
}

void BindTimeInterval(MapReader& r, TimeIntervalConfig& ti) {
  r.List<TimeRangeConfig>("times", &ti.times, [](MapReader& t, TimeRangeConfig& range) {
    std::string start, end;
    t.String("start_time", &start);
    t.String("end_time", &end);
    if (start.empty() || end.empty()) {
      t.ErrorAtKey("", "both start and end times must be provided");
      return;
    }
    auto s = ParseClock(start);
    auto e = ParseClock(end);
    if (!s.ok()) return t.ErrorAtKey("start_time", s.status().message());
    if (!e.ok()) return t.ErrorAtKey("end_time", e.status().message());
    if (*s >= *e) return t.ErrorAtKey("", "start time cannot be equal or greater than end time");
    range = {*s, *e};
  });
  BindRanges(r, "weekdays", RangeKind::kWeekday, &ti.weekdays);
  BindRanges(r, "days_of_month", RangeKind::kDayOfMonth, &ti.days_of_month);
  BindRanges(r, "months", RangeKind::kMonth, &ti.months);
  BindRanges(r, "years", RangeKind::kYear, &ti.years);
  r.String("location", &ti.location,
           [](const std::string& name) { return TimeZone::Load(name).status(); });
}

}  // namespace

void BindAmRoute(MapReader& r, RouteConfig& route, const std::set<std::string>& receivers,
                 const std::set<std::string>& time_intervals, bool root) {
  if (r.String("receiver", &route.receiver) && !route.receiver.empty() &&
      !receivers.contains(route.receiver)) {
    r.ErrorAtKey("receiver", "undefined receiver \"" + route.receiver + "\" used in route");
  }
  std::vector<std::string> group_by;
  if (r.StringList("group_by", &group_by, MustBeGroupByName)) {
    bool all = std::find(group_by.begin(), group_by.end(), "...") != group_by.end();
    std::vector<std::string> sorted = group_by;
    std::sort(sorted.begin(), sorted.end());
    if (all && group_by.size() > 1) {
      r.ErrorAtKey("group_by",
                   "cannot have wildcard group_by (`...`) and other other labels at the same time");
    } else if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
      r.ErrorAtKey("group_by", "duplicated label \"" +
                                   *std::adjacent_find(sorted.begin(), sorted.end()) +
                                   "\" in group_by");
    }
    route.group_by = group_by;
  }
  BindMatchMaps(r, "match", "match_re", &route.matchers);
  BindMatchers(r, "matchers", &route.matchers);
  r.Bool("continue", &route.continue_matching);
  r.StringList("mute_time_intervals", &route.mute_time_intervals);
  r.StringList("active_time_intervals", &route.active_time_intervals);
  CheckIntervalNames(r, "mute_time_intervals", route.mute_time_intervals, time_intervals);
  CheckIntervalNames(r, "active_time_intervals", route.active_time_intervals, time_intervals);
  BindOptionalDuration(r, "group_wait", &route.group_wait, false, "group_wait");
  BindOptionalDuration(r, "group_interval", &route.group_interval, true, "group_interval");
  BindOptionalDuration(r, "repeat_interval", &route.repeat_interval, true, "repeat_interval");
  if (root) {
    if (route.receiver.empty())
      r.ErrorAtKey("receiver", "root route must specify a default receiver");
    if (!route.matchers.empty()) {
      std::string_view at = "matchers";
      for (std::string_view key : {"match_re", "match", "matchers"}) {
        if (r.Take(key) != nullptr) at = key;
      }
      r.ErrorAtKey(at, "root route must not have any matchers");
    }
    if (!route.mute_time_intervals.empty()) {
      r.ErrorAtKey("mute_time_intervals", "root route must not have any mute time intervals");
    }
    if (!route.active_time_intervals.empty()) {
      r.ErrorAtKey("active_time_intervals", "root route must not have any active time intervals");
    }
  }
  r.List<RouteConfig>("routes", &route.routes, [&](MapReader& child, RouteConfig& c) {
    BindAmRoute(child, c, receivers, time_intervals, false);
  });
}

void BindAmInhibitRule(MapReader& r, InhibitRuleConfig& rule) {
  BindMatchMaps(r, "source_match", "source_match_re", &rule.source_matchers);
  BindMatchers(r, "source_matchers", &rule.source_matchers);
  BindMatchMaps(r, "target_match", "target_match_re", &rule.target_matchers);
  BindMatchers(r, "target_matchers", &rule.target_matchers);
  r.StringList("equal", &rule.equal, MustBeLabelName);
}

void BindAmTimeIntervals(MapReader& r, std::string_view key,
                         std::map<std::string, std::vector<TimeIntervalConfig>>& out) {
  struct Named {
    std::string name;
    std::vector<TimeIntervalConfig> intervals;
  };
  std::vector<Named> named;
  r.List<Named>(key, &named, [](MapReader& item, Named& n) {
    item.String("name", &n.name);
    item.List<TimeIntervalConfig>("time_intervals", &n.intervals, BindTimeInterval);
  });
  std::string what = key == "time_intervals" ? "time interval" : "mute time interval";
  for (Named& n : named) {
    if (!out.emplace(n.name, std::move(n.intervals)).second) {
      r.ErrorAtKey(key, what + " \"" + n.name + "\" is not unique");
    }
  }
}

void RejectUnimplemented(MapReader& r, std::initializer_list<std::string_view> keys) {
  for (std::string_view key : keys) {
    const YamlNode* value = r.Take(key);
    if (value == nullptr) continue;
    r.ErrorAt(*value, key,
              "\"" + std::string(key) + "\" is an Alertmanager setting tocsin does not implement");
  }
}

}  // namespace tocsin
