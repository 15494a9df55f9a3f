// Tests of the text-format parser: golden renderings of Prometheus 0.0.4 and OpenMetrics
// bodies (Prometheus's documented examples), error reporting with line numbers, and values.
#include "collectors/scrape/text_parser.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "tests/collectors/system/golden.h"
#include "tests/fakes/recording_appender.h"

namespace tocsin {
namespace {

std::string TestData(const std::string& name) {
  return std::string(TOCSIN_SOURCE_DIR) + "/tests/collectors/scrape/testdata/" + name;
}

// One line per entry, in input order.
std::string Render(std::string_view body, TextFormat format) {
  TextParser p(body, format);
  std::string out;
  while (true) {
    TextEntry e = p.Next();
    switch (e) {
      case TextEntry::kEnd:
        return out;
      case TextEntry::kSeries: {
        out += "SERIES " + std::string(p.metric_name()) + " {";
        bool first = true;
        for (const ParsedLabel& l : p.labels()) {
          if (!first) out += ",";
          first = false;
          out += std::string(l.name) + "=";
          std::string v;
          AppendEscapedLabelValue(v, l.value);
          out += "\"" + v + "\"";
        }
        out += "} " + testing::FormatPromValue(p.value());
        if (p.has_timestamp()) out += " @" + std::to_string(p.timestamp_ms());
        out += "\n";
        break;
      }
      case TextEntry::kHelp: {
        std::string h(p.help());
        for (size_t i = 0; (i = h.find('\n', i)) != std::string::npos;) h.replace(i, 1, "<NL>");
        out += "HELP " + std::string(p.family()) + " [" + h + "]\n";
        break;
      }
      case TextEntry::kType:
        out +=
            "TYPE " + std::string(p.family()) + " " + std::string(MetricTypeName(p.type())) + "\n";
        break;
      case TextEntry::kUnit:
        out += "UNIT " + std::string(p.family()) + " " + std::string(p.unit()) + "\n";
        break;
      case TextEntry::kComment:
        break;
      case TextEntry::kEof:
        out += "EOF\n";
        break;
      case TextEntry::kError:
        out += "ERROR line " + std::to_string(p.line_number()) + ": " + p.error() + "\n";
        break;
    }
  }
}

TEST(ScrapeTextParser, PrometheusExamplesGolden) {
  std::string body = testing::ReadFileOrEmpty(TestData("prom_basic.txt"));
  ASSERT_FALSE(body.empty());
  testing::ExpectGolden(TestData("prom_basic.golden"), Render(body, TextFormat::kPrometheus));
}

TEST(ScrapeTextParser, OpenMetricsExamplesGolden) {
  std::string body = testing::ReadFileOrEmpty(TestData("om_basic.txt"));
  ASSERT_FALSE(body.empty());
  testing::ExpectGolden(TestData("om_basic.golden"), Render(body, TextFormat::kOpenMetrics));
}

TEST(ScrapeTextParser, MalformedLinesAreReportedWithLineNumbersAndParsingGoesOn) {
  std::string body = testing::ReadFileOrEmpty(TestData("malformed.txt"));
  ASSERT_FALSE(body.empty());
  testing::ExpectGolden(TestData("malformed.golden"), Render(body, TextFormat::kPrometheus));
}

// Prometheus 3 refuses a sample whose label value is not UTF-8 ("invalid UTF-8 label value")
// and keeps parsing; tocsin does the same so the bytes never reach the store or the API.
TEST(ScrapeTextParser, InvalidUtf8LabelValueRejectsTheSample) {
  std::string body =
      "ok{a=\"\xe2\x82\xac\"} 1\nbad{a=\"x\xffy\"} 2\nbad{\"n\xc0\x80\"=\"v\"} 3\nafter 4\n";
  EXPECT_EQ(Render(body, TextFormat::kPrometheus),
            "SERIES ok {a=\"\xe2\x82\xac\"} 1\n"
            "ERROR line 2: invalid UTF-8 label value: a\n"
            "ERROR line 3: invalid UTF-8 label name\n"
            "SERIES after {} 4\n");
}

TEST(ScrapeTextParser, ValuesAndTimestamps) {
  EXPECT_EQ(Render("a 1\nb -2.5e3 -17\nc +Inf\nd -inf\ne nan\nf 0x1p-2\n", TextFormat::kPrometheus),
            "SERIES a {} 1\nSERIES b {} -2500 @-17\nSERIES c {} +Inf\nSERIES d {} -Inf\n"
            "SERIES e {} NaN\nSERIES f {} 0.25\n");
  // OpenMetrics timestamps are seconds with a fraction.
  EXPECT_EQ(Render("a 1 1520879607.789\n# EOF\n", TextFormat::kOpenMetrics),
            "SERIES a {} 1 @1520879607789\nEOF\n");
  double v = 0;
  EXPECT_FALSE(ParsePromFloat("", &v));
  EXPECT_FALSE(ParsePromFloat("+-1", &v));
  EXPECT_FALSE(ParsePromFloat("1e999", &v));
  EXPECT_FALSE(ParsePromFloat("nan(0)", &v));
  EXPECT_FALSE(ParsePromFloat("1.2.3", &v));
  EXPECT_TRUE(ParsePromFloat("Infinity", &v));
  EXPECT_TRUE(std::isinf(v));
}

TEST(ScrapeTextParser, OpenMetricsEofRules) {
  EXPECT_EQ(Render("a 1\n", TextFormat::kOpenMetrics),
            "SERIES a {} 1\nERROR line 2: OpenMetrics body does not end with # EOF\n");
  EXPECT_EQ(Render("# EOF\na 1\n", TextFormat::kOpenMetrics),
            "EOF\nERROR line 2: unexpected content after # EOF\n");
  // 0.0.4 has no # EOF: it is a comment there.
  EXPECT_EQ(Render("# EOF\na 1\n", TextFormat::kPrometheus), "SERIES a {} 1\n");
}

TEST(ScrapeTextParser, QuotedUtf8NamesAndExemplarLabels) {
  EXPECT_EQ(Render("{\"my.metric\",\"label.x\"=\"v\"} 3\n", TextFormat::kPrometheus),
            "SERIES my.metric {label.x=\"v\"} 3\n");
  // Exemplar labels may repeat the series' names; only exemplar shape is checked.
  EXPECT_EQ(Render("x_total{a=\"1\"} 1 # {a=\"2\"} 3\n# EOF\n", TextFormat::kOpenMetrics),
            "SERIES x_total {a=\"1\"} 1\nEOF\n");
  EXPECT_EQ(Render("x_total 1 # garbage\n# EOF\n", TextFormat::kOpenMetrics),
            "ERROR line 1: invalid exemplar: expected '{'\nEOF\n");
  // Exemplars are not part of 0.0.4.
  EXPECT_EQ(Render("x 1 # {a=\"2\"} 3\n", TextFormat::kPrometheus),
            "ERROR line 1: unexpected text after the sample value\n");
}

TEST(ScrapeTextParser, ContentTypeSelectsTheFormat) {
  EXPECT_EQ(TextFormatFromContentType("application/openmetrics-text; version=1.0.0"),
            TextFormat::kOpenMetrics);
  EXPECT_EQ(TextFormatFromContentType("text/plain; version=0.0.4"), TextFormat::kPrometheus);
  EXPECT_EQ(TextFormatFromContentType(""), TextFormat::kPrometheus);
}

TEST(ScrapeTextParser, NoReadPastTheEndOfTruncatedInput) {
  // Every prefix of a valid body parses without crashing (ASan checks the reads).
  std::string body = testing::ReadFileOrEmpty(TestData("prom_basic.txt"));
  for (size_t n = 0; n < body.size(); ++n) {
    std::string prefix = body.substr(0, n);  // own allocation: ASan sees overreads
    Render(prefix, TextFormat::kPrometheus);
    Render(prefix, TextFormat::kOpenMetrics);
  }
}

}  // namespace
}  // namespace tocsin
