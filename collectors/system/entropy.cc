#include "collectors/system/entropy.h"

#include <array>
#include <optional>

namespace tocsin::system {

Status ReadEntropy(const std::string& procfs, ProcFile& file, SampleSink& sink) {
  static constexpr std::array<std::string_view, 5> kFiles = {
      "entropy_avail", "poolsize", "urandom_min_reseed_secs", "write_wakeup_threshold",
      "read_wakeup_threshold"};
  std::array<std::optional<uint64_t>, kFiles.size()> values;
  for (size_t i = 0; i < kFiles.size(); ++i) {
    std::string path = JoinPath(procfs, "sys/kernel/random/" + std::string(kFiles[i]));
    Result<std::string_view> text = file.Read(path);
    if (!text.ok()) {
      if (text.status().code() == StatusCode::kNotFound) continue;
      return text.status();
    }
    values[i] = ParseUint64(TrimSpace(*text));
    if (!values[i]) return InvalidArgument("entropy: bad value in " + path);
  }
  if (!values[0]) return NotFound("entropy: couldn't get entropy_avail");
  if (!values[1]) return NotFound("entropy: couldn't get entropy poolsize");
  sink.Family("node_entropy_available_bits", MetricType::kGauge, "Bits of available entropy.");
  sink.Add("node_entropy_available_bits", static_cast<double>(*values[0]));
  sink.Family("node_entropy_pool_size_bits", MetricType::kGauge, "Bits of entropy pool.");
  sink.Add("node_entropy_pool_size_bits", static_cast<double>(*values[1]));
  return Status::Ok();
}

}  // namespace tocsin::system
