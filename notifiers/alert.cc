#include "notifiers/alert.h"

#include <cctype>
#include <cinttypes>
#include <cstdio>

namespace tocsin {

std::string Alert::FingerprintHex() const {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016" PRIx64, Fingerprint());
  return buf;
}

std::string GeneratorUrl(std::string_view external_url, std::string_view expr) {
  // Go's url.QueryEscape: unreserved bytes stay, space becomes '+', the rest %XX.
  std::string out(external_url);
  while (!out.empty() && out.back() == '/') out.pop_back();
  out += "/graph?g0.expr=";
  static const char* kHex = "0123456789ABCDEF";
  for (unsigned char c : expr) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  out += "&g0.tab=1";
  return out;
}

}  // namespace tocsin
