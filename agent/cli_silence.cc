#include "agent/cli_silence.h"

#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

#include "agent/core/alert.h"
#include "agent/core/json.h"
#include "agent/core/matcher_parser.h"

namespace tocsin {
namespace {

using nlohmann::json;

std::string Describe(const HttpResponse& r) {
  if (r.status == 0) return r.error.empty() ? "no response" : r.error;
  return "HTTP " + std::to_string(r.status) + ": " + r.body;
}

HttpResponse Call(HttpClient& client, const std::string& method, const std::string& url,
                  std::string body = {}) {
  HttpRequest req;
  req.method = method;
  req.url = url;
  req.body = std::move(body);
  if (!req.body.empty()) req.headers.push_back({"Content-Type", "application/json"});
  req.timeout = std::chrono::seconds(10);
  req.max_response_body = 16 << 20;
  return client.Do(req);
}

int Add(const CliArgs& args, HttpClient& client, const Clock& clock, std::ostream& out,
        std::ostream& err) {
  json matchers = json::array();
  for (const std::string& text : args.silence_args) {
    auto m = ParseMatcher(text);
    if (!m.ok()) {
      err << "tocsin: bad matcher " << text << ": " << m.status().message() << "\n";
      return 1;
    }
    bool regex = m->op() == MatchOp::kRegexMatch || m->op() == MatchOp::kRegexNoMatch;
    bool equal = m->op() == MatchOp::kEqual || m->op() == MatchOp::kRegexMatch;
    matchers.push_back(
        {{"name", m->name()}, {"value", m->value()}, {"isRegex", regex}, {"isEqual", equal}});
  }
  TimestampMs now = clock.NowMs();
  json body = {{"matchers", matchers},
               {"startsAt", FormatRfc3339(now)},
               {"endsAt", FormatRfc3339(now + args.silence_duration.count())},
               {"createdBy", args.silence_author},
               {"comment", args.silence_comment}};
  HttpResponse r = Call(client, "POST", args.query_url + "/api/v2/silences", EncodeJson(body));
  if (r.status != 200) {
    err << "tocsin: creating the silence failed: " << Describe(r) << "\n";
    return 1;
  }
  auto parsed = json::parse(r.body, nullptr, false);
  if (parsed.is_discarded() || !parsed.contains("silenceID")) {
    err << "tocsin: unexpected answer: " << r.body << "\n";
    return 1;
  }
  out << parsed["silenceID"].get<std::string>() << "\n";
  return 0;
}

int Query(const CliArgs& args, HttpClient& client, std::ostream& out, std::ostream& err) {
  HttpResponse r = Call(client, "GET", args.query_url + "/api/v2/silences");
  auto list = json::parse(r.body, nullptr, false);
  if (r.status != 200 || !list.is_array()) {
    err << "tocsin: listing silences failed: " << Describe(r) << "\n";
    return 1;
  }
  char line[512];
  std::snprintf(line, sizeof line, "%-36s  %-8s  %-24s  %-12s  %s\n", "ID", "State", "Ends At",
                "Created By", "Matchers / Comment");
  out << line;
  for (const json& s : list) {
    std::string state = s.value("/status/state"_json_pointer, std::string());
    if (state == "expired" && !args.silence_expired) continue;
    std::string matchers;
    for (const json& m : s.value("matchers", json::array())) {
      bool regex = m.value("isRegex", false);
      bool equal = m.value("isEqual", true);
      matchers += (matchers.empty() ? "" : " ") + m.value("name", std::string()) +
                  (equal ? (regex ? "=~" : "=") : (regex ? "!~" : "!=")) + "\"" +
                  m.value("value", std::string()) + "\"";
    }
    std::snprintf(line, sizeof line, "%-36s  %-8s  %-24s  %-12s  %s  %s\n",
                  s.value("id", std::string()).c_str(), state.c_str(),
                  s.value("endsAt", std::string()).c_str(),
                  s.value("createdBy", std::string()).c_str(), matchers.c_str(),
                  s.value("comment", std::string()).c_str());
    out << line;
  }
  return 0;
}

int Expire(const CliArgs& args, HttpClient& client, std::ostream& err) {
  int rc = 0;
  for (const std::string& id : args.silence_args) {
    HttpResponse r = Call(client, "DELETE", args.query_url + "/api/v2/silence/" + id);
    if (r.status != 200) {
      err << "tocsin: expiring " << id << " failed: " << Describe(r) << "\n";
      rc = 1;
    }
  }
  return rc;
}

}  // namespace

int RunSilenceCommand(const CliArgs& args, HttpClient& client, const Clock& clock,
                      std::ostream& out, std::ostream& err) {
  if (args.silence_action == "add") return Add(args, client, clock, out, err);
  if (args.silence_action == "query") return Query(args, client, out, err);
  return Expire(args, client, err);
}

}  // namespace tocsin
