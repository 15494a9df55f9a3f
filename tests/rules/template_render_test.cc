// Template outputs against Prometheus's documented behaviour (template_reference.md,
// P:template/template.go, prometheus/common humanize_duration.go) and Go's fmt/text/template.
#include <gtest/gtest.h>

#include <cmath>

#include "rules/alerting_rule.h"
#include "rules/template/parser.h"
#include "rules/template/render.h"

namespace tocsin::rules::tmpl {
namespace {

struct Case {
  const char* text;
  double value;
  const char* want;
};

const Labels kLabels{{"instance", "db-1:9100"}, {"job", "pg"}};
const Labels kExternal{{"cluster", "eu-1"}};

Result<std::string> RenderText(const std::string& text, double value) {
  auto t = ParseAlertTemplate(text, "A");
  if (!t.ok()) return t.status();
  AlertTemplateData data;
  data.labels = &kLabels;
  data.external_labels = &kExternal;
  data.external_url = "http://tocsin:9469";
  data.value = value;
  data.eval_time = 1435065584128;
  data.query = [](const std::string& expr, TimestampMs t) -> Result<std::vector<TemplateSample>> {
    EXPECT_EQ(t, 1435065584128);
    if (expr == "none") return std::vector<TemplateSample>{};
    if (expr == "bad(") return InvalidArgument("parse error");
    return std::vector<TemplateSample>{
        {Labels{{"__name__", "up"}, {"instance", "b:1"}, {"job", "x"}}, 0},
        {Labels{{"__name__", "up"}, {"instance", "a:1"}, {"job", "x"}}, 1}};
  };
  return Render(*t, data);
}

void RunTable(const std::vector<Case>& cases) {
  for (const auto& c : cases) {
    auto r = RenderText(c.text, c.value);
    ASSERT_TRUE(r.ok()) << c.text << ": " << r.status().message();
    EXPECT_EQ(*r, c.want) << c.text;
  }
}

TEST(TemplateRender, ValueIsGoPercentV) {
  RunTable({
      {"{{ $value }}", 123456, "123456"},
      {"{{ $value }}", 1e6, "1e+06"},
      {"{{ $value }}", 1234567, "1.234567e+06"},
      {"{{ $value }}", 0.00001, "1e-05"},
      {"{{ $value }}", 0.0001, "0.0001"},
      {"{{ $value }}", 0.5, "0.5"},
      {"{{ $value }}", 0.1 + 0.2, "0.30000000000000004"},
      {"{{ $value }}", -2, "-2"},
      {"{{ $value }}", std::nan(""), "NaN"},
      {"{{ $value }}", HUGE_VAL, "+Inf"},
      {"{{ .Value }}", -HUGE_VAL, "-Inf"},
  });
}

// Number constants beyond int64 are floats only (Go's parse.NumberNode); the check must not
// convert them to int64 first (undefined behaviour, found by the fuzzer).
TEST(TemplateRender, HugeNumberConstantsAreFloats) {
  RunTable({
      {"{{ 1e100 }}", 0, "1e+100"},
      {"{{ if gt $value 3e300 }}big{{ else }}small{{ end }}", 4, "small"},
      {"{{ 1e3 }}", 0, "1000"},
  });
}

TEST(TemplateRender, Humanize) {
  RunTable({
      {"{{ $value | humanize }}", 1234567, "1.235M"},
      {"{{ humanize 0.0012 }}", 0, "1.2m"},
      {"{{ humanize 0 }}", 0, "0"},
      {"{{ humanize 1000 }}", 0, "1k"},
      {"{{ humanize 999 }}", 0, "999"},
      {"{{ humanize -2500 }}", 0, "-2.5k"},
      {"{{ humanize \"2048\" }}", 0, "2.048k"},
      {"{{ humanize $value }}", 1e30, "1e+06Y"},
      {"{{ humanize $value }}", std::nan(""), "NaN"},
      {"{{ humanize1024 1024 }}", 0, "1ki"},
      {"{{ humanize1024 1536 }}", 0, "1.5ki"},
      {"{{ humanize1024 1048576 }}", 0, "1Mi"},
      {"{{ humanize1024 0.5 }}", 0, "0.5"},
      {"{{ humanize1024 1 }}", 0, "1"},
      {"{{ humanizePercentage 0.1234 }}", 0, "12.34%"},
      {"{{ humanizePercentage $value }}", 1, "100%"},
      {"{{ humanizeDuration 0 }}", 0, "0s"},
      {"{{ humanizeDuration 59.5 }}", 0, "59.5s"},
      {"{{ humanizeDuration 65 }}", 0, "1m 5s"},
      {"{{ humanizeDuration 3605 }}", 0, "1h 0m 5s"},
      {"{{ humanizeDuration 90061 }}", 0, "1d 1h 1m 1s"},
      {"{{ humanizeDuration -65 }}", 0, "-1m 5s"},
      {"{{ humanizeDuration 0.5 }}", 0, "500ms"},
      {"{{ humanizeDuration 0.000001 }}", 0, "1us"},
      {"{{ humanizeTimestamp 1435065584.128 }}", 0, "2015-06-23 13:19:44.128 +0000 UTC"},
      {"{{ humanizeTimestamp 0 }}", 0, "1970-01-01 00:00:00 +0000 UTC"},
  });
}

TEST(TemplateRender, Printf) {
  RunTable({
      {"{{ printf \"%.2f\" $value }}", 3.14159, "3.14"},
      {"{{ printf \"%5.1f|\" $value }}", 3.14159, "  3.1|"},
      {"{{ printf \"%d\" 5 }}", 0, "5"},
      {"{{ printf \"%d\" $value }}", 1.5, "%!d(float64=1.5)"},
      {"{{ printf \"%s\" $value }}", 1.5, "%!s(float64=1.5)"},
      {"{{ printf \"%s:%s\" $labels.job \"x\" }}", 0, "pg:x"},
      {"{{ printf \"%q\" \"a\\\"b\" }}", 0, "\"a\\\"b\""},
      {"{{ printf \"%v\" $value }}", 1e6, "1e+06"},
      {"{{ printf \"%g\" $value }}", 0.00001, "1e-05"},
      {"{{ printf \"%.3g\" $value }}", 1234.5, "1.23e+03"},
      {"{{ printf \"%e\" $value }}", 1234.5, "1.234500e+03"},
      {"{{ printf \"%x\" 255 }}", 0, "ff"},
      {"{{ printf \"%X\" \"hi\" }}", 0, "6869"},
      {"{{ printf \"%s\" }}", 0, "%!s(MISSING)"},
      {"{{ printf \"%d\" 1 2 }}", 0, "1%!(EXTRA int=2)"},
      {"{{ printf \"%d%%\" 50 }}", 0, "50%"},
      {"{{ printf \"%-4s|\" \"a\" }}", 0, "a   |"},
      {"{{ printf \"%t\" true }}", 0, "true"},
      // fmt gives up on a width or precision past 1e6 (found by the fuzzer: it padded 10^17).
      {"{{ printf \"a%11111111111111111d|%d\" 42 55 }}", 0, "a%!(NOVERB)%!(EXTRA int=42, int=55)"},
      {"{{ printf \"%.99999999999f\" 1.5 }}", 0, "%!(NOVERB)%!(EXTRA float64=1.5)"},
  });
}

TEST(TemplateRender, StringsAndRegexps) {
  RunTable({
      {"{{ toUpper $labels.job }} {{ $labels.instance | stripPort }}", 0, "PG db-1"},
      {"{{ toLower \"AbC\" }}", 0, "abc"},
      {"{{ title \"hello world\" }}", 0, "Hello World"},
      {"{{ title \"don't\" }}", 0, "Don'T"},  // Go's strings.Title
      {"{{ reReplaceAll \"(.*):.*\" \"$1\" $labels.instance }}", 0, "db-1"},
      {"{{ reReplaceAll \"-\" \"_\" \"a-b-c\" }}", 0, "a_b_c"},
      {"{{ if match \"^db\" $labels.instance }}db{{ end }}", 0, "db"},
      {"{{ match \"^x\" $labels.instance }}", 0, "false"},
      {"{{ \"host.example.com:80\" | stripDomain }}", 0, "host:80"},
  });
}

TEST(TemplateRender, ControlFlowAndComparisons) {
  const char* levels =
      "{{ if gt $value 90.0 }}crit{{ else if gt $value 50.0 }}warn{{ else }}ok{{ end }}";
  RunTable({
      {levels, 95, "crit"},
      {levels, 60, "warn"},
      {levels, 10, "ok"},
      {"{{ with $labels.job }}job={{ . }}{{ else }}none{{ end }}", 0, "job=pg"},
      {"{{ with $labels.nope }}x{{ else }}none{{ end }}", 0, "none"},
      {"{{ range $k, $v := $labels }}{{ $k }}={{ $v }};{{ end }}", 0, "instance=db-1:9100;job=pg;"},
      {"{{ range $labels }}{{ . }},{{ end }}", 0, "db-1:9100,pg,"},
      {"{{ range query \"none\" }}x{{ else }}empty{{ end }}", 0, "empty"},
      {"{{ if eq $labels.job \"a\" \"pg\" }}y{{ end }}", 0, "y"},
      {"{{ if ne $labels.job \"pg\" }}y{{ else }}n{{ end }}", 0, "n"},
      {"{{ if and (ge $value 1.0) (le $value 2.0) }}in{{ end }}", 1.5, "in"},
      {"{{ and 1 0 }} {{ or \"\" \"b\" }} {{ not true }}", 0, "0 b false"},
      {"{{ if lt \"a\" \"b\" }}lt{{ end }}", 0, "lt"},
      {"{{ len $labels }} {{ index $labels \"job\" }} {{ len \"abc\" }}", 0, "2 pg 3"},
      {"{{ $x := 2 }}{{ $x }}{{ $x = 3 }}{{ $x }}", 0, "23"},
      {"{{ $labels.missing }}|", 0, "|"},
      {"x {{- $labels.job -}} y", 0, "xpgy"},
      {"{{/* comment */}}a", 0, "a"},
  });
}

TEST(TemplateRender, DataFields) {
  RunTable({
      {"{{ .Labels.job }} {{ $labels.instance }}", 0, "pg db-1:9100"},
      {"{{ $externalLabels.cluster }} {{ .ExternalLabels.cluster }}", 0, "eu-1 eu-1"},
      {"{{ $externalURL }}/alerts", 0, "http://tocsin:9469/alerts"},
      {"{{ .Value | printf \"%.1f\" }}", 2.25, "2.2"},
  });
}

TEST(TemplateRender, QueryFunctions) {
  RunTable({
      {"{{ query \"up\" | first | value }}", 0, "0"},
      {"{{ with query \"up\" }}{{ . | first | label \"instance\" }}{{ end }}", 0, "b:1"},
      {"{{ range query \"up\" }}{{ .Labels.instance }}={{ .Value }};{{ end }}", 0, "b:1=0;a:1=1;"},
      {"{{ range query \"up\" | sortByLabel \"instance\" }}{{ label \"instance\" . }} {{ end }}", 0,
       "a:1 b:1 "},
      {"{{ len (query \"up\") }}", 0, "2"},
      {"{{ with query \"none\" }}{{ . | first | value }}{{ else }}no data{{ end }}", 0, "no data"},
      {"{{ now }}", 0, "1.435065584128e+09"},
  });
}

// Found by go_template_fuzzer: invalid bytes become 3-byte U+FFFD after rendering, so the 1 MiB
// output bound is checked again on what leaves the renderer.
TEST(TemplateRender, OutputBoundHoldsAfterUtf8Sanitising) {
  auto fits = RenderText("{{ range 300000 }}\xff{{ end }}", 0);  // 300 kB -> 900 kB
  ASSERT_TRUE(fits.ok()) << fits.status().message();
  EXPECT_EQ(fits->size(), 900000u);
  auto over = RenderText("{{ range 400000 }}\xff{{ end }}", 0);  // 400 kB -> 1.2 MB
  ASSERT_FALSE(over.ok());
  EXPECT_NE(over.status().message().find("output exceeds 1048576 bytes"), std::string::npos)
      << over.status().message();
}

TEST(TemplateRender, ErrorsAsGo) {
  struct {
    const char* text;
    const char* want;  // substring of the error
  } cases[] = {
      {"{{ query \"none\" | first | value }}",
       "error calling first: first() called on vector with no elements"},
      {"{{ if gt $value 1 }}x{{ end }}", "error calling gt: incompatible types for comparison"},
      {"{{ humanize \"abc\" }}",
       "error calling humanize: strconv.ParseFloat: parsing \"abc\": invalid syntax"},
      {"{{ query \"bad(\" }}", "error calling query: parse error"},
      {"{{ .Nope }}", "can't evaluate field Nope"},
  };
  for (const auto& c : cases) {
    auto r = RenderText(c.text, 1);
    ASSERT_FALSE(r.ok()) << c.text << " rendered " << *r;
    EXPECT_NE(r.status().message().find(c.want), std::string::npos)
        << c.text << ": " << r.status().message();
    EXPECT_EQ(r.status().message().rfind("template: __alert_A:1: executing \"__alert_A\": ", 0), 0u)
        << r.status().message();
  }
}

TEST(TemplateRender, AlertingRuleRendersErrorsLikePrometheusAndCountsThem) {
  RuleSpec spec;
  spec.kind = RuleSpec::Kind::kAlerting;
  spec.name = "A";
  spec.expr_text = "x";
  auto good = ParseAlertTemplate("{{ $labels.job }} at {{ $value }}", "A");
  auto bad = ParseAlertTemplate("{{ query \"x\" | first | value }}", "A");
  ASSERT_TRUE(good.ok() && bad.ok());
  spec.annotations.push_back({"summary", "{{ $labels.job }} at {{ $value }}",
                              std::make_shared<const Tree>(std::move(*good))});
  spec.annotations.push_back({"detail", "{{ query \"x\" | first | value }}",
                              std::make_shared<const Tree>(std::move(*bad))});
  AlertingRuleOptions o;
  std::vector<std::string> logged;
  o.query = [](const std::string&, TimestampMs) -> Result<std::vector<TemplateSample>> {
    return std::vector<TemplateSample>{};
  };
  o.on_template_error = [&](const std::string& m) { logged.push_back(m); };
  AlertingRule rule(spec, o);
  promql::Vector v = {promql::InstantSample{Labels{{"job", "pg"}}, 2.5}};
  ASSERT_TRUE(rule.Eval(v, 1000, 0).ok());
  auto alerts = rule.CurrentAlerts();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].annotations.Get("summary"), "pg at 2.5");
  EXPECT_EQ(alerts[0].annotations.Get("detail"),
            "<error expanding template: error executing template __alert_A: template: "
            "__alert_A:1: executing \"__alert_A\": error calling first: first() called on vector "
            "with no elements>");
  EXPECT_EQ(rule.template_errors(), 1u);
  EXPECT_EQ(logged.size(), 1u);
}

}  // namespace
}  // namespace tocsin::rules::tmpl
