#include "agent/core/host_port.h"

#include <cctype>

namespace tocsin {
namespace {

constexpr std::string_view kExample = " (expected host:port, e.g. 127.0.0.1:9469)";

bool IsHostNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
}

// Inside brackets: IPv6 digits and colons, dots for an embedded IPv4, %zone for link-local.
bool IsBracketedHostChar(char c) { return IsHostNameChar(c) || c == ':' || c == '%'; }

}  // namespace

Result<HostPort> ParseHostPort(std::string_view address) {
  auto bad = [&](std::string_view why) {
    return InvalidArgument("invalid address \"" + std::string(address) + "\": " + std::string(why));
  };
  std::string_view host;
  std::string_view port;
  if (address.starts_with('[')) {
    size_t close = address.find(']');
    if (close == std::string_view::npos) return bad("missing ']' after the IPv6 address");
    host = address.substr(1, close - 1);
    std::string_view rest = address.substr(close + 1);
    if (rest.empty()) return bad(std::string("missing port") + std::string(kExample));
    if (rest[0] != ':') return bad("expected ':' and a port after ']'");
    port = rest.substr(1);
    if (host.empty()) return bad("empty IPv6 address in brackets");
    for (char c : host) {
      if (!IsBracketedHostChar(c)) return bad("invalid character in IPv6 address");
    }
  } else {
    size_t colon = address.rfind(':');
    if (colon == std::string_view::npos) {
      return bad(std::string("missing port") + std::string(kExample));
    }
    host = address.substr(0, colon);
    port = address.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) {
      return bad("too many colons; write an IPv6 address in brackets, e.g. [::1]:9469");
    }
    for (char c : host) {
      if (!IsHostNameChar(c)) return bad("invalid character in host name");
    }
  }
  if (port.empty()) return bad(std::string("missing port") + std::string(kExample));
  if (port.size() > 5) return bad("port must be a number from 0 to 65535");
  uint32_t value = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return bad("port must be a number from 0 to 65535");
    value = value * 10 + static_cast<uint32_t>(c - '0');
  }
  if (value > 65535) return bad("port must be a number from 0 to 65535");
  return HostPort{std::string(host), static_cast<uint16_t>(value)};
}

}  // namespace tocsin
