#include "agent/cli_query.h"

#include <nlohmann/json.hpp>

#include "agent/core/json.h"

namespace tocsin {
namespace {

using nlohmann::json;

std::string Escape(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

// model.Metric's String(): name{a="1", b="2"}.
std::string MetricString(const json& metric) {
  std::string name;
  std::string labels;
  for (auto it = metric.begin(); it != metric.end(); ++it) {
    if (it.key() == "__name__") {
      name = it.value().get<std::string>();
      continue;
    }
    if (!labels.empty()) labels += ", ";
    labels += it.key() + "=" + EncodeJson(it.value());
  }
  if (labels.empty() && !name.empty()) return name;
  return name + "{" + labels + "}";
}

// model.Time's String(): seconds with up to 3 decimals.
std::string TimeString(const json& t) {
  double v = t.get<double>();
  auto ms = static_cast<int64_t>(v * 1000 + (v >= 0 ? 0.5 : -0.5));
  std::string s = std::to_string(ms / 1000);
  int64_t frac = ms % 1000;
  if (frac != 0) {
    char buf[24];
    std::snprintf(buf, sizeof buf, ".%03lld", static_cast<long long>(frac < 0 ? -frac : frac));
    std::string f = buf;
    while (f.back() == '0') f.pop_back();
    s += f;
  }
  return s;
}

}  // namespace

int RunQueryCommand(const CliArgs& args, HttpClient& client, std::ostream& out, std::ostream& err) {
  HttpRequest req;
  req.method = "POST";
  req.url = args.query_url + "/api/v1/query";
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  req.body = "query=" + Escape(args.query_expr);
  if (!args.query_time.empty()) req.body += "&time=" + Escape(args.query_time);
  req.max_response_body = 64 * 1024 * 1024;
  HttpResponse resp = client.Do(req);
  if (resp.status == 0) {
    err << "Error querying " << args.query_url << ": " << resp.error << "\n";
    return 1;
  }
  json body = json::parse(resp.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    err << "query error: server answered " << resp.status << " with a non-JSON body\n";
    return 1;
  }
  if (body.value("status", "") != "success") {
    err << "query error: " << body.value("errorType", "") << ": " << body.value("error", "")
        << "\n";
    return 1;
  }
  const json& data = body["data"];
  const std::string type = data.value("resultType", "");
  const json& result = data["result"];
  if (type == "vector") {
    for (const auto& s : result) {
      out << MetricString(s["metric"]) << " => " << s["value"][1].get<std::string>() << " @["
          << TimeString(s["value"][0]) << "]\n";
    }
  } else if (type == "scalar" || type == "string") {
    out << (type == "scalar" ? "scalar: " : "string: ") << result[1].get<std::string>() << " @["
        << TimeString(result[0]) << "]\n";
  } else if (type == "matrix") {
    for (const auto& s : result) {
      out << MetricString(s["metric"]) << " =>\n";
      for (const auto& p : s["values"]) {
        out << p[1].get<std::string>() << " @[" << TimeString(p[0]) << "]\n";
      }
    }
  }
  return 0;
}

}  // namespace tocsin
