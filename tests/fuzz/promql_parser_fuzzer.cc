// libFuzzer target for the PromQL parser: any input must parse or fail cleanly, and whatever
// parses must print to text that parses again to the same text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "agent/promql/engine.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto e = tocsin::promql::Parse(in);
  if (!e.ok()) return 0;
  (void)tocsin::promql::TypeOf(**e);
  std::string printed = tocsin::promql::ToString(**e);
  auto again = tocsin::promql::Parse(printed);
  if (!again.ok()) {
    __builtin_trap();  // the canonical form must parse
  }
  if (tocsin::promql::ToString(**again) != printed) __builtin_trap();
  return 0;
}
