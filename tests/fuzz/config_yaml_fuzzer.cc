// libFuzzer target for the config loader (LoadConfigString: YAML parse, every section binder,
// duration/regex/matcher/label validation) on any bytes. A config must load or fail with an
// InvalidArgument that has one non-empty `file:line:col: ...` line per problem; a config that
// loads must have a routing tree that builds and routes an alert, as the daemon does at start.
//
// The source name's directory does not exist, so relative `*_file` secrets fail to read; run
// the fuzzer with stdin from /dev/null so that an absolute `/dev/stdin` does not block.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/config/loader.h"
#include "agent/core/labels.h"
#include "agent/core/status.h"
#include "notifiers/route.h"

namespace {

constexpr std::string_view kSource = "/nonexistent-fuzz-dir/tocsin.yml";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 1 << 16) return 0;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  tocsin::Result<tocsin::Config> config = tocsin::LoadConfigString(text, kSource);
  if (!config.ok()) {
    const std::string& message = config.status().message();
    if (config.status().code() != tocsin::StatusCode::kInvalidArgument) __builtin_trap();
    if (message.empty() || !message.starts_with(kSource)) __builtin_trap();
    return 0;
  }
  if (config->source_file != kSource) __builtin_trap();
  auto route = tocsin::Route::Build(config->alerting.route);
  if (!route.ok()) return 0;
  tocsin::Labels alert{{"alertname", "HighLoad"}, {"instance", "db-1:9100"}, {"severity", "page"}};
  for (const tocsin::Route* r : (*route)->Match(alert)) {
    (void)r->GroupLabels(alert);
    if (r->opts().receiver.empty()) __builtin_trap();
  }
  return 0;
}
