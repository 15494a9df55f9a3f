#include "agent/core/alert.h"

#include <cinttypes>
#include <cstdio>

#include "agent/core/url_escape.h"

namespace tocsin {

std::string Alert::FingerprintHex() const {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016" PRIx64, Fingerprint());
  return buf;
}

std::string GeneratorUrl(std::string_view external_url, std::string_view expr) {
  // Prometheus trims the external URL's trailing slashes when it starts.
  std::string out(external_url);
  while (!out.empty() && out.back() == '/') out.pop_back();
  return out + "/graph?g0.expr=" + UrlQueryEscape(expr) + "&g0.tab=1";
}

}  // namespace tocsin
