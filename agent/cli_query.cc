#include "agent/cli_query.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <nlohmann/json.hpp>

#include "agent/core/go_format.h"
#include "agent/core/json.h"
#include "agent/core/url_escape.h"

namespace tocsin {
namespace {

using nlohmann::json;

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

// A quoted API number ("1e-07", "+Inf") as a double; anything else is NaN.
double Number(const json& v) {
  if (!v.is_string()) return std::nan("");
  const std::string& s = v.get_ref<const std::string&>();
  if (s == "+Inf") return std::numeric_limits<double>::infinity();
  if (s == "-Inf") return -std::numeric_limits<double>::infinity();
  return std::strtod(s.c_str(), nullptr);
}

// Go's fmt %f of a float64: six decimals, Go's spelling of NaN and infinities.
std::string GoPercentF(double v) {
  if (std::isnan(v) || std::isinf(v)) return FormatGoFloatG(v);
  char buf[400];
  std::snprintf(buf, sizeof buf, "%f", v);
  return buf;
}

// model.SampleHistogramPair's String():
// "Count: 7.000000, Sum: 1.500000, Buckets: [[-1,-0.5):1 (0.5,1]:2] @[1.5]".
std::string HistogramPointString(const json& point) {
  if (!point.is_array() || point.size() != 2 || !point[1].is_object()) return "?";
  const json& h = point[1];
  std::string s = "Count: " + GoPercentF(Number(h.value("count", json()))) +
                  ", Sum: " + GoPercentF(Number(h.value("sum", json()))) + ", Buckets: [";
  bool first = true;
  for (const json& b : h.value("buckets", json::array())) {
    if (!b.is_array() || b.size() != 4 || !b[0].is_number_integer()) continue;
    const int boundaries = b[0].get<int>();
    if (!first) s += ' ';
    first = false;
    s += boundaries == 1 || boundaries == 3 ? '[' : '(';
    s += FormatGoFloatG(Number(b[1])) + "," + FormatGoFloatG(Number(b[2]));
    s += boundaries == 0 || boundaries == 3 ? ']' : ')';
    s += ":" + FormatGoFloatF(Number(b[3]));
  }
  return s + "] @[" + TimeString(point[0]) + "]";
}

}  // namespace

int RunQueryCommand(const CliArgs& args, HttpClient& client, std::ostream& out, std::ostream& err) {
  HttpRequest req;
  req.method = "POST";
  req.url = args.query_url + "/api/v1/query";
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  req.body = "query=" + UrlQueryEscape(args.query_expr);
  if (!args.query_time.empty()) req.body += "&time=" + UrlQueryEscape(args.query_time);
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
      if (s.contains("histogram")) {
        out << MetricString(s["metric"]) << " => " << HistogramPointString(s["histogram"]) << "\n";
        continue;
      }
      out << MetricString(s["metric"]) << " => " << s["value"][1].get<std::string>() << " @["
          << TimeString(s["value"][0]) << "]\n";
    }
  } else if (type == "scalar" || type == "string") {
    out << (type == "scalar" ? "scalar: " : "string: ") << result[1].get<std::string>() << " @["
        << TimeString(result[0]) << "]\n";
  } else if (type == "matrix") {
    for (const auto& s : result) {
      out << MetricString(s["metric"]) << " =>\n";
      // Prometheus 3 omits "values" or "histograms" when a series has no such points.
      for (const auto& p : s.value("values", json::array())) {
        out << p[1].get<std::string>() << " @[" << TimeString(p[0]) << "]\n";
      }
      for (const auto& p : s.value("histograms", json::array())) {
        out << HistogramPointString(p) << "\n";
      }
    }
  }
  return 0;
}

}  // namespace tocsin
