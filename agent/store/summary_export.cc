#include "agent/store/summary_export.h"

#include "agent/store/exposition.h"

namespace tocsin {

Status WriteSummary(Appender& app, std::string_view name, const Labels& base,
                    SlidingWindowSketch& sketch, std::string_view help,
                    std::span<const double> quantiles) {
  SlidingWindowSketch::Snapshot snap = sketch.Read();
  return WriteSummary(app, name, base, snap.window, snap.total_count, snap.total_sum, help,
                      quantiles);
}

Status WriteSummary(Appender& app, std::string_view name, const Labels& base,
                    const QuantileSketch& window, uint64_t count, double sum, std::string_view help,
                    std::span<const double> quantiles) {
  app.SetMetadata(name, Metadata{MetricType::kSummary, std::string(help), ""});
  std::string n(name);
  for (double q : quantiles) {
    std::string qs;
    AppendPromFloat(qs, q);
    LabelsBuilder b(base);
    b.Set(kMetricNameLabel, n).Set("quantile", qs);
    TOCSIN_RETURN_IF_ERROR(app.Add(b.Build(), window.Quantile(q)));
  }
  TOCSIN_RETURN_IF_ERROR(
      app.Add(LabelsBuilder(base).Set(kMetricNameLabel, n + "_sum").Build(), sum));
  return app.Add(LabelsBuilder(base).Set(kMetricNameLabel, n + "_count").Build(),
                 static_cast<double>(count));
}

}  // namespace tocsin
