#include "rules/test_file.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "agent/config/yaml.h"
#include "agent/core/rfc3339.h"
#include "rules/template/lexer.h"
#include "rules/yaml_decode.h"

namespace tocsin::rules {
namespace {

void DecodeAlertCase(YamlDecoder& dec, const YamlNode& node, AlertTestCase& c) {
  for (const auto& [k, v] : node.entries()) {
    const std::string& key = k.scalar();
    if (key == "eval_time") {
      dec.Duration(v, c.eval_time);
    } else if (key == "alertname") {
      dec.String(v, c.alertname);
    } else if (key == "exp_alerts") {
      if (!dec.ExpectSeq(v, "[]main.alert")) continue;
      for (const auto& a : v.items()) {
        ExpectedAlert e;
        if (dec.ExpectMap(a, "main.alert")) {
          for (const auto& [ak, av] : a.entries()) {
            if (ak.scalar() == "exp_labels") {
              dec.StringMap(av, e.labels);
            } else if (ak.scalar() == "exp_annotations") {
              dec.StringMap(av, e.annotations);
            } else {
              dec.UnknownField(ak, "main.alert");
            }
          }
        }
        c.exp_alerts.push_back(std::move(e));
      }
    } else {
      dec.UnknownField(k, "main.alertTestCase");
    }
  }
}

void DecodePromqlCase(YamlDecoder& dec, const YamlNode& node, PromqlTestCase& c) {
  for (const auto& [k, v] : node.entries()) {
    const std::string& key = k.scalar();
    if (key == "expr") {
      dec.String(v, c.expr);
    } else if (key == "eval_time") {
      dec.Duration(v, c.eval_time);
    } else if (key == "exp_samples") {
      if (!dec.ExpectSeq(v, "[]main.sample")) continue;
      for (const auto& s : v.items()) {
        ExpectedSample e;
        if (dec.ExpectMap(s, "main.sample")) {
          for (const auto& [sk, sv] : s.entries()) {
            if (sk.scalar() == "labels") {
              dec.String(sv, e.labels);
            } else if (sk.scalar() == "value") {
              dec.Float(sv, e.value);
            } else if (sk.scalar() == "histogram") {
              dec.String(sv, e.histogram);
            } else {
              dec.UnknownField(sk, "main.sample");
            }
          }
        }
        c.exp_samples.push_back(std::move(e));
      }
    } else {
      dec.UnknownField(k, "main.promqlTestCase");
    }
  }
}

void DecodeGroup(YamlDecoder& dec, const YamlNode& node, TestGroup& g) {
  for (const auto& [k, v] : node.entries()) {
    const std::string& key = k.scalar();
    if (key == "interval") {
      dec.Duration(v, g.interval);
    } else if (key == "input_series") {
      if (!dec.ExpectSeq(v, "[]main.series")) continue;
      for (const auto& s : v.items()) {
        TestSeries ts;
        if (dec.ExpectMap(s, "main.series")) {
          for (const auto& [sk, sv] : s.entries()) {
            if (sk.scalar() == "series") {
              dec.String(sv, ts.series);
            } else if (sk.scalar() == "values") {
              dec.String(sv, ts.values);
            } else {
              dec.UnknownField(sk, "main.series");
            }
          }
        }
        g.input_series.push_back(std::move(ts));
      }
    } else if (key == "alert_rule_test") {
      if (!dec.ExpectSeq(v, "[]main.alertTestCase")) continue;
      for (const auto& a : v.items()) {
        AlertTestCase c;
        if (dec.ExpectMap(a, "main.alertTestCase")) DecodeAlertCase(dec, a, c);
        g.alert_rule_test.push_back(std::move(c));
      }
    } else if (key == "promql_expr_test") {
      if (!dec.ExpectSeq(v, "[]main.promqlTestCase")) continue;
      for (const auto& p : v.items()) {
        PromqlTestCase c;
        if (dec.ExpectMap(p, "main.promqlTestCase")) DecodePromqlCase(dec, p, c);
        g.promql_expr_test.push_back(std::move(c));
      }
    } else if (key == "external_labels") {
      dec.StringMap(v, g.external_labels);
    } else if (key == "external_url") {
      dec.String(v, g.external_url);
    } else if (key == "name") {
      dec.String(v, g.name);
    } else if (key == "start_timestamp") {
      // Decoded into a Go string first, so any scalar is taken as written; null keeps the epoch.
      std::string text, error;
      if (dec.String(v, text) && !ParseTestTimestamp(text, g.start_ms, error)) dec.Fatal(error);
    } else {
      dec.UnknownField(k, "main.testGroup");
    }
  }
}

}  // namespace

bool ParseTestTimestamp(const std::string& text, int64_t& ms, std::string& error) {
  const char* begin = text.c_str();
  char* end = nullptr;
  errno = 0;
  const double secs = text.empty() || std::isspace(static_cast<unsigned char>(text[0]))
                          ? 0
                          : std::strtod(begin, &end);
  if (end == begin + text.size() && !text.empty() && errno != ERANGE && std::isfinite(secs)) {
    // time.Unix(int(s), frac·1e9) then millisecond timestamps, truncated as Prometheus does.
    const double whole = std::trunc(secs);
    ms = static_cast<int64_t>(whole) * 1000 +
         static_cast<int64_t>(std::trunc((secs - whole) * 1e9)) / 1000000;
    return true;
  }
  if (ParseRfc3339(text, &ms)) return true;
  error = "cannot parse " + tmpl::GoQuote(text) + " to a valid timestamp";
  return false;
}

bool ParseTestFile(std::string_view text, std::string_view source, TestFile& out,
                   std::string& error) {
  auto parsed = ParseYaml(text, source);
  if (!parsed.ok()) {
    error = parsed.status().message();
    return false;
  }
  const YamlNode& root = *parsed;
  YamlDecoder dec;
  if (dec.ExpectMap(root, "main.unitTestFile")) {
    for (const auto& [k, v] : root.entries()) {
      const std::string& key = k.scalar();
      if (key == "rule_files") {
        dec.StringList(v, out.rule_files);
      } else if (key == "evaluation_interval") {
        dec.Duration(v, out.evaluation_interval);
      } else if (key == "group_eval_order") {
        dec.StringList(v, out.group_eval_order);
      } else if (key == "fuzzy_compare") {
        dec.Bool(v, out.fuzzy_compare);
      } else if (key == "tests") {
        if (!dec.ExpectSeq(v, "[]main.testGroup")) continue;
        for (const auto& g : v.items()) {
          TestGroup tg;
          if (dec.ExpectMap(g, "main.testGroup")) DecodeGroup(dec, g, tg);
          out.tests.push_back(std::move(tg));
        }
      } else {
        dec.UnknownField(k, "main.unitTestFile");
      }
    }
  }
  if (!dec.ok()) {
    error = dec.Message();
    return false;
  }
  return true;
}

}  // namespace tocsin::rules
