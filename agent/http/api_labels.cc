#include "agent/http/api_labels.h"

#include <algorithm>
#include <set>
#include <vector>

#include "agent/core/utf8.h"
#include "agent/http/api_params.h"
#include "agent/http/api_response.h"
#include "agent/promql/quote.h"

namespace tocsin {
namespace {

constexpr std::string_view kValuesSuffix = "/values";
constexpr std::string_view kLabelPrefix = "/api/v1/label/";

ServerResponse BadData(const Status& st) { return ApiBadData(st.message()); }

// The parameters every endpoint here shares, parsed in Prometheus's order (limit, start, end,
// match[]); `match_param_prefix` is whether a match[] error reads `invalid parameter "match[]"`
// (series) or is the bare parser message (labels, label values).
struct ReadParams {
  int64_t limit = 0;
  TimestampMs start = kApiMinTimeMs;
  TimestampMs end = kApiMaxTimeMs;
  std::vector<std::vector<LabelMatcher>> matcher_sets;
};

Result<ReadParams> ParseReadParams(const ServerRequest& req, bool match_param_prefix) {
  ReadParams p;
  auto limit = LimitParam(req);
  if (!limit.ok()) return limit.status();
  p.limit = *limit;
  auto start = TimeParam(req, "start", kApiMinTimeMs);
  if (!start.ok()) return start.status();
  p.start = *start;
  auto end = TimeParam(req, "end", kApiMaxTimeMs);
  if (!end.ok()) return end.status();
  p.end = *end;
  auto sets = MatchersParam(req.Params("match[]"));
  if (!sets.ok()) {
    if (!match_param_prefix) return sets.status();
    return InvalidArgument("invalid parameter \"match[]\": " + sets.status().message());
  }
  p.matcher_sets = std::move(sets).value();
  return p;
}

// Runs `collect(matchers)` once without matchers or once per matcher set, and merges the
// sorted results.
template <typename Collect>
std::vector<std::string> Union(const ReadParams& p, Collect collect) {
  if (p.matcher_sets.empty()) return collect(std::span<const LabelMatcher>());
  if (p.matcher_sets.size() == 1) return collect(std::span<const LabelMatcher>(p.matcher_sets[0]));
  std::set<std::string> merged;
  for (const auto& set : p.matcher_sets) {
    for (std::string& v : collect(std::span<const LabelMatcher>(set))) merged.insert(std::move(v));
  }
  return {merged.begin(), merged.end()};
}

ServerResponse StringList(std::vector<std::string> values, int64_t limit) {
  std::vector<std::string> warnings;
  if (limit > 0 && values.size() > static_cast<uint64_t>(limit)) {
    values.resize(static_cast<size_t>(limit));
    warnings.emplace_back(kTruncatedWarning);
  }
  std::string data;
  AppendStringArrayJson(data, values);
  return ApiSuccess(data, warnings);
}

ServerResponse LabelNames(const Queryable& data, const ServerRequest& req) {
  auto p = ParseReadParams(req, false);
  if (!p.ok()) return BadData(p.status());
  auto q = data.NewQuerier(p->start, p->end);
  return StringList(Union(*p, [&](std::span<const LabelMatcher> m) { return q->LabelNames(m); }),
                    p->limit);
}

ServerResponse LabelValues(const Queryable& data, const ServerRequest& req) {
  // /api/v1/label/<name>/values: one non-empty path segment, as Prometheus's router matches.
  std::string_view path = req.path;
  std::string_view rest = path.substr(kLabelPrefix.size());
  if (!rest.ends_with(kValuesSuffix))
    return {404, "text/plain; charset=utf-8", "404 page not found\n", {}};
  std::string_view segment = rest.substr(0, rest.size() - kValuesSuffix.size());
  if (segment.empty() || segment.find('/') != std::string_view::npos) {
    return {404, "text/plain; charset=utf-8", "404 page not found\n", {}};
  }
  std::string name = UnescapeLabelName(segment);
  // model.UTF8Validation.IsValidLabelName: any non-empty valid UTF-8.
  if (name.empty() || !ValidUtf8(name)) {
    return ApiBadData("invalid label name: " + promql::Quote(name));
  }
  auto p = ParseReadParams(req, false);
  if (!p.ok()) return BadData(p.status());
  auto q = data.NewQuerier(p->start, p->end);
  return StringList(
      Union(*p, [&](std::span<const LabelMatcher> m) { return q->MatchingLabelValues(name, m); }),
      p->limit);
}

ServerResponse Series(const Queryable& data, const ServerRequest& req) {
  if (!req.HasParam("match[]")) return ApiBadData("no match[] parameter provided");
  auto p = ParseReadParams(req, true);
  if (!p.ok()) return BadData(p.status());
  auto q = data.NewQuerier(p->start, p->end);
  // Each set's series arrive sorted; several sets are merged without duplicates.
  std::vector<Labels> series;
  for (const auto& set : p->matcher_sets) {
    q->ForEachLatest(set, [&](const SeriesView& s) { series.push_back(s.labels); });
  }
  if (p->matcher_sets.size() > 1) {
    std::sort(series.begin(), series.end());
    series.erase(std::unique(series.begin(), series.end()), series.end());
  }
  std::vector<std::string> warnings;
  if (p->limit > 0 && series.size() > static_cast<uint64_t>(p->limit)) {
    series.resize(static_cast<size_t>(p->limit));
    warnings.emplace_back(kTruncatedWarning);
  }
  std::string out = "[";
  for (size_t i = 0; i < series.size(); ++i) {
    if (i > 0) out += ',';
    AppendLabelsJson(out, series[i]);
  }
  out += ']';
  return ApiSuccess(out, warnings);
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string UnescapeLabelName(std::string_view name) {
  if (!name.starts_with("U__")) return std::string(name);
  std::string_view escaped = name.substr(3);
  std::string out;
  for (size_t i = 0; i < escaped.size(); ++i) {
    if (escaped[i] != '_') {
      out += escaped[i];
      continue;
    }
    if (++i >= escaped.size()) return std::string(name);
    if (escaped[i] == '_') {  // "__" is one underscore
      out += '_';
      continue;
    }
    // _<hex code point>_, at most six hex digits (U+10FFFF).
    uint32_t cp = 0;
    bool closed = false;
    for (int step = 0; i < escaped.size(); ++step, ++i) {
      // As Prometheus's loop: the bound is checked before the closing underscore is.
      if (step >= 6) return std::string(name);
      if (escaped[i] == '_') {
        closed = true;
        break;
      }
      int d = HexDigit(escaped[i]);
      if (d < 0) return std::string(name);
      cp = cp * 16 + static_cast<uint32_t>(d);
    }
    // Go's utf8.ValidRune: not a surrogate, at most U+10FFFF.
    if (!closed || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::string(name);
    AppendUtf8(out, static_cast<char32_t>(cp));
  }
  return out;
}

void RegisterLabelsApi(HttpServer& server, const Queryable* data) {
  server.Route("/api/v1/labels", {"GET", "POST"},
               [data](const ServerRequest& req) { return LabelNames(*data, req); });
  server.RoutePrefix(std::string(kLabelPrefix), {"GET"},
                     [data](const ServerRequest& req) { return LabelValues(*data, req); });
  server.Route("/api/v1/series", {"GET", "POST"},
               [data](const ServerRequest& req) { return Series(*data, req); });
}

}  // namespace tocsin
