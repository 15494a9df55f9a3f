// Tests of ParsedBody: target labels with and without honor_labels, metadata and errors.
#include "collectors/scrape/parsed_body.h"

#include <gtest/gtest.h>

namespace tocsin {
namespace {

TargetLabels Target(bool honor) {
  return TargetLabels{{{"instance", "h:1"}, {"job", "j"}, {"zone", "z1"}}, honor};
}

TEST(ScrapeParsedBody, ConflictingLabelsAreExportedWithoutHonorLabels) {
  ParsedBody body;
  TargetLabels t = Target(false);
  ParseBody("m{job=\"app\",exported_job=\"old\",x=\"1\"} 1\nn 2\n", TextFormat::kPrometheus, &t,
            body);
  ASSERT_EQ(body.errors, 0u) << body.first_error;
  ASSERT_EQ(body.samples.size(), 2u);
  EXPECT_EQ(body.samples[0].labels.ToString(),
            "{__name__=\"m\", exported_exported_job=\"app\", exported_job=\"old\", "
            "instance=\"h:1\", job=\"j\", x=\"1\", zone=\"z1\"}");
  EXPECT_EQ(body.samples[1].labels.ToString(),
            "{__name__=\"n\", instance=\"h:1\", job=\"j\", zone=\"z1\"}");
}

TEST(ScrapeParsedBody, HonorLabelsKeepsTheBodysValues) {
  ParsedBody body;
  TargetLabels t = Target(true);
  ParseBody("m{job=\"app\",instance=\"\"} 1\n", TextFormat::kPrometheus, &t, body);
  ASSERT_EQ(body.samples.size(), 1u);
  // An empty value is an absent label: the target's instance is attached.
  EXPECT_EQ(body.samples[0].labels.ToString(),
            "{__name__=\"m\", instance=\"h:1\", job=\"app\", zone=\"z1\"}");
}

TEST(ScrapeParsedBody, MetadataAndFirstError) {
  ParsedBody body;
  ParseBody("# HELP a Help.\n# TYPE a counter\na_total 1\nbroken\nalso broken\n",
            TextFormat::kPrometheus, nullptr, body);
  EXPECT_EQ(body.samples.size(), 1u);
  EXPECT_EQ(body.errors, 2u);
  EXPECT_EQ(body.first_error_line, 4u);
  EXPECT_EQ(body.first_error, "line 4: expected a value after the series");
  ASSERT_EQ(body.metadata.count("a"), 1u);
  EXPECT_EQ(body.metadata["a"].type, MetricType::kCounter);
  EXPECT_EQ(body.metadata["a"].help, "Help.");
  EXPECT_FALSE(body.has_timestamps);
}

TEST(ScrapeParsedBody, ReservedNameLabelIsAnError) {
  ParsedBody body;
  ParseBody("m{__name__=\"x\"} 1\n", TextFormat::kPrometheus, nullptr, body);
  EXPECT_EQ(body.samples.size(), 0u);
  EXPECT_EQ(body.first_error, "line 1: label name __name__ is reserved");
}

}  // namespace
}  // namespace tocsin
