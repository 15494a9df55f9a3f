#include "agent/core/duration.h"

#include <array>
#include <cstdint>
#include <limits>

namespace tocsin {
namespace {

struct Unit {
  std::string_view name;
  int64_t ms;
};

// Ordered from largest to smallest; "ms" must be tried before "m" when matching.
constexpr std::array<Unit, 7> kUnits = {{{"y", 365LL * 24 * 3600 * 1000},
                                         {"w", 7LL * 24 * 3600 * 1000},
                                         {"d", 24LL * 3600 * 1000},
                                         {"h", 3600LL * 1000},
                                         {"m", 60LL * 1000},
                                         {"s", 1000},
                                         {"ms", 1}}};

}  // namespace

Result<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  auto bad = [&] {
    return InvalidArgument("not a valid duration string: \"" + std::string(text) + "\"");
  };
  if (text.empty()) return bad();
  if (text == "0") return std::chrono::milliseconds(0);
  int64_t total = 0;
  size_t pos = 0;
  int last_unit = -1;
  while (pos < text.size()) {
    if (text[pos] < '0' || text[pos] > '9') return bad();
    int64_t n = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (n > (std::numeric_limits<int64_t>::max() - 9) / 10) return bad();
      n = n * 10 + (text[pos] - '0');
      ++pos;
    }
    int unit = -1;
    if (text.substr(pos, 2) == "ms") {
      unit = 6;
    } else if (pos < text.size()) {
      for (int i = 0; i < 6; ++i) {
        if (text[pos] == kUnits[i].name[0]) unit = i;
      }
    }
    if (unit < 0 || unit <= last_unit) return bad();
    pos += kUnits[unit].name.size();
    last_unit = unit;
    if (n > std::numeric_limits<int64_t>::max() / kUnits[unit].ms) return bad();
    int64_t add = n * kUnits[unit].ms;
    if (total > std::numeric_limits<int64_t>::max() - add) return bad();
    total += add;
  }
  return std::chrono::milliseconds(total);
}

std::string FormatDuration(std::chrono::milliseconds d) {
  int64_t ms = d.count();
  if (ms == 0) return "0s";
  std::string out;
  if (ms < 0) {
    out += '-';
    ms = -ms;
  }
  for (const Unit& u : kUnits) {
    // Prometheus prints weeks and years only when the value is an exact multiple.
    if ((u.name == "y" || u.name == "w") && ms % u.ms != 0) continue;
    if (ms >= u.ms) {
      out += std::to_string(ms / u.ms);
      out += u.name;
      ms %= u.ms;
    }
  }
  return out;
}

}  // namespace tocsin
